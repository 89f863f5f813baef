/**
 * The subset of the ONNX protobuf schema (onnx/onnx.proto, IR version 8) that this package
 * writes: ModelProto, GraphProto (also as a subgraph attribute), NodeProto, AttributeProto, TensorProto, ValueInfoProto and
 * the type/shape messages. Field numbers follow onnx.proto exactly; protobufjs (reflection
 * from this JSON descriptor, no code generation) does the wire encoding, including the
 * 10-byte varints of negative int64 attributes such as `axis: -1`.
 */
import protobuf from 'protobufjs/light.js';

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT64: 7, BOOL: 9 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7 } as const;

export interface TensorProto {
  readonly name?: string;
  readonly dims: readonly number[];
  readonly dataType: DataTypeCode;
  /** Little-endian fixed-width element bytes. */
  readonly rawData: Uint8Array;
}

export interface AttributeProto {
  readonly name: string;
  readonly type: number;
  readonly f?: number;
  readonly i?: number;
  /** UTF-8 bytes of a string attribute (e.g. ScatterElements' `reduction`). */
  readonly s?: Uint8Array;
  readonly t?: TensorProto;
  /** A subgraph (e.g. a `Loop`'s body). */
  readonly g?: GraphProto;
  readonly floats?: readonly number[];
  readonly ints?: readonly number[];
}

export interface NodeProto {
  readonly input: readonly string[];
  readonly output: readonly string[];
  readonly name?: string;
  readonly opType: string;
  readonly attribute?: readonly AttributeProto[];
}

/** A dimension is a fixed size or a symbolic name such as `'batch'`. */
export type Dimension = number | string;

export interface ValueInfoProto {
  readonly name: string;
  readonly type: {
    readonly tensorType: {
      readonly elemType: DataTypeCode;
      readonly shape: { readonly dim: readonly ({ dimValue: number } | { dimParam: string })[] };
    };
  };
}

export interface GraphProto {
  readonly name: string;
  readonly node: readonly NodeProto[];
  readonly initializer: readonly TensorProto[];
  readonly input: readonly ValueInfoProto[];
  readonly output: readonly ValueInfoProto[];
}

export interface ModelProto {
  readonly irVersion: number;
  readonly opsetImport: readonly { readonly domain: string; readonly version: number }[];
  readonly producerName: string;
  readonly producerVersion?: string;
  readonly graph: GraphProto;
}

const optional = (type: string, id: number) => ({ type, id });
const repeated = (type: string, id: number) => ({ rule: 'repeated', type, id });

const root = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: optional('string', 1),
            f: optional('float', 2),
            i: optional('int64', 3),
            s: optional('bytes', 4),
            t: optional('TensorProto', 5),
            g: optional('GraphProto', 6),
            floats: repeated('float', 7),
            ints: repeated('int64', 8),
            type: optional('int32', 20),
          },
        },
        ValueInfoProto: { fields: { name: optional('string', 1), type: optional('TypeProto', 2) } },
        NodeProto: {
          fields: {
            input: repeated('string', 1),
            output: repeated('string', 2),
            name: optional('string', 3),
            opType: optional('string', 4),
            attribute: repeated('AttributeProto', 5),
            domain: optional('string', 7),
          },
        },
        ModelProto: {
          fields: {
            irVersion: optional('int64', 1),
            producerName: optional('string', 2),
            producerVersion: optional('string', 3),
            graph: optional('GraphProto', 7),
            opsetImport: repeated('OperatorSetIdProto', 8),
          },
        },
        GraphProto: {
          fields: {
            node: repeated('NodeProto', 1),
            name: optional('string', 2),
            initializer: repeated('TensorProto', 5),
            input: repeated('ValueInfoProto', 11),
            output: repeated('ValueInfoProto', 12),
          },
        },
        TensorProto: {
          fields: {
            dims: repeated('int64', 1),
            dataType: optional('int32', 2),
            name: optional('string', 8),
            rawData: optional('bytes', 9),
          },
        },
        TensorShapeProto: {
          fields: { dim: repeated('Dimension', 1) },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: { dimValue: optional('int64', 1), dimParam: optional('string', 2) },
            },
          },
        },
        TypeProto: {
          fields: { tensorType: optional('Tensor', 1) },
          nested: {
            Tensor: { fields: { elemType: optional('int32', 1), shape: optional('TensorShapeProto', 2) } },
          },
        },
        OperatorSetIdProto: { fields: { domain: optional('string', 1), version: optional('int64', 2) } },
      },
    },
  },
});

const modelType = root.lookupType('onnx.ModelProto');

/** Serialises a model to the bytes of an `.onnx` file. */
export function encodeModel(model: ModelProto): Uint8Array {
  return modelType.encode(modelType.fromObject(model)).finish();
}

/**
 * Parses `.onnx` bytes back into plain objects (int64 fields as numbers), for tests and
 * for inspecting exported models. Fields outside the subset above are skipped.
 */
export function decodeModel(bytes: Uint8Array): ModelProto {
  return modelType.toObject(modelType.decode(bytes), { longs: Number, defaults: false, arrays: true }) as ModelProto;
}
