/**
 * A small builder for ONNX graphs: declares inputs and outputs, adds nodes with typed
 * attributes, stores constants as initializers, and produces a `ModelProto` (opset 17,
 * IR version 8). Values are referred to by name; node outputs get unique generated names
 * unless a name is given (graph outputs must be named).
 */
import {
  type AttributeProto,
  AttributeType,
  DataType,
  type DataTypeCode,
  type Dimension,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from '../proto/onnx-proto';

/**
 * The ONNX operator set these graphs use: 17, for ScatterElements with `reduction: 'add'` (16),
 * which routes max-pooling gradients. ReduceSum takes `axes` as an input (from 13); the other
 * reductions still take it as an attribute (until 18).
 */
export const OPSET_VERSION = 17;
/** IR version 8 is the one that goes with opset 17. */
export const IR_VERSION = 8;

export type Attribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'graph'; readonly value: GraphProto };

/** Attribute constructors: `attr.int(1)`, `attr.float(0.5)`, `attr.ints([0])`, `attr.string('add')`. */
export const attr = {
  int: (value: number): Attribute => ({ kind: 'int', value }),
  float: (value: number): Attribute => ({ kind: 'float', value }),
  ints: (value: readonly number[]): Attribute => ({ kind: 'ints', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
  graph: (value: GraphProto): Attribute => ({ kind: 'graph', value }),
};

function toAttribute(name: string, a: Attribute): AttributeProto {
  switch (a.kind) {
    case 'int':
      return { name, type: AttributeType.INT, i: a.value };
    case 'float':
      return { name, type: AttributeType.FLOAT, f: a.value };
    case 'ints':
      return { name, type: AttributeType.INTS, ints: a.value };
    case 'string':
      return { name, type: AttributeType.STRING, s: new TextEncoder().encode(a.value) };
    case 'graph':
      return { name, type: AttributeType.GRAPH, g: a.value };
  }
}

function valueInfo(name: string, elemType: DataTypeCode, dims: readonly Dimension[]): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** Little-endian bytes of a typed array (a view, no copy, on little-endian hosts). */
function rawBytes(data: Float32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly constants = new Map<string, string>();
  private counter = 0;

  /**
   * @param parent the builder of the enclosing graph, for a subgraph (`subgraph()`): names stay
   *   unique across both, and constants are the enclosing graph's initializers, which the
   *   subgraph reads from the outer scope.
   */
  constructor(private readonly parent?: GraphBuilder) {}

  /** A builder for a subgraph of this graph (a `Loop` body): outer values are read by name. */
  subgraph(): GraphBuilder {
    return new GraphBuilder(this);
  }

  /** The finished subgraph, for an `attr.graph` attribute. */
  buildGraph(name: string): GraphProto {
    return { name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs };
  }

  /** A name no other value of this graph (or its subgraphs and enclosing graph) has. */
  unique(prefix: string): string {
    return this.fresh(prefix);
  }

  /** Declares a graph input and returns its name. */
  input(name: string, dims: readonly Dimension[], elemType: DataTypeCode = DataType.FLOAT): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /** Declares `value` as a graph output called `name` (through an Identity node when the names differ). */
  output(value: string, name: string, dims: readonly Dimension[], elemType: DataTypeCode = DataType.FLOAT): string {
    const produced = value === name ? value : this.node('Identity', [value], {}, name);
    this.outputs.push(valueInfo(produced, elemType, dims));
    return produced;
  }

  /** Renames a node's output `value` to `name` everywhere it appears (no Identity node needed). */
  rename(value: string, name: string): string {
    const swap = (list: readonly string[]) => list.map((v) => (v === value ? name : v));
    for (let k = 0; k < this.nodes.length; k++) {
      const node = this.nodes[k] as NodeProto;
      this.nodes[k] = { ...node, input: swap(node.input), output: swap(node.output) };
    }
    return name;
  }

  /** A float32 initializer called `name` (or a generated name); the data is referenced, not copied. */
  floatConstant(data: Float32Array, dims: readonly number[], name?: string): string {
    return this.initializer(name ?? this.fresh('const'), DataType.FLOAT, data, dims);
  }

  /** A float32 scalar of shape [1], shared between uses of the same value. */
  scalar(value: number): string {
    if (this.parent) return this.parent.scalar(value);
    const key = `f32:${value}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = this.floatConstant(Float32Array.of(value), [1]);
    this.constants.set(key, name);
    return name;
  }

  /** An int64 vector constant (e.g. the `axes` input of ReduceSum), shared between uses. */
  int64s(values: readonly number[]): string {
    if (this.parent) return this.parent.int64s(values);
    const key = `i64:${values.join(',')}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = this.initializer(
      this.fresh('axes'),
      DataType.INT64,
      BigInt64Array.from(values, (v) => BigInt(v)),
      [values.length],
    );
    this.constants.set(key, name);
    return name;
  }

  /** Adds a node and returns the name of its (single) output. */
  node(opType: string, inputs: readonly string[], attributes: Record<string, Attribute> = {}, output?: string): string {
    return this.nodeOutputs(opType, inputs, attributes, [output ?? this.fresh(opType.toLowerCase())])[0] as string;
  }

  /** Adds a node with `count` outputs (e.g. MaxPool's values and indices) and returns their names. */
  multiNode(opType: string, inputs: readonly string[], attributes: Record<string, Attribute>, count: number): string[] {
    const outputs = Array.from({ length: count }, () => this.fresh(opType.toLowerCase()));
    return this.nodeOutputs(opType, inputs, attributes, outputs);
  }

  private nodeOutputs(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, Attribute>,
    outputs: string[],
  ): string[] {
    this.nodes.push({
      input: inputs,
      output: outputs,
      name: `${opType}_${this.nodes.length}`,
      opType,
      attribute: Object.entries(attributes).map(([key, value]) => toAttribute(key, value)),
    });
    return outputs;
  }

  /** The finished model. */
  build(name: string, producerVersion?: string): ModelProto {
    return {
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET_VERSION }],
      producerName: '@abs/backend-onnx',
      ...(producerVersion === undefined ? {} : { producerVersion }),
      graph: this.buildGraph(name),
    };
  }

  private initializer(
    name: string,
    dataType: DataTypeCode,
    data: Float32Array | BigInt64Array,
    dims: readonly number[],
  ): string {
    if (this.parent) return this.parent.initializer(name, dataType, data, dims);
    this.initializers.push({ name, dims, dataType, rawData: rawBytes(data) });
    return name;
  }

  private fresh(prefix: string): string {
    if (this.parent) return this.parent.fresh(prefix);
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }
}
