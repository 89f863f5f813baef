import { describe, expect, it } from 'vitest';
import { attr, GraphBuilder } from '../graph/graph-builder';
import { decodeModel, encodeModel } from './onnx-proto';

function softmaxModel() {
  const g = new GraphBuilder();
  const x = g.input('x', ['batch', 3]);
  g.output(g.node('Softmax', [x], { axis: attr.int(-1) }, 'y'), 'y', ['batch', 3]);
  g.floatConstant(Float32Array.of(1.5, -2), [2], 'c');
  return g.build('softmax');
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('ONNX protobuf encoding', () => {
  it('writes ir_version first, as field 1 varint: tag (1 << 3 | 0) = 0x08, value 8', () => {
    expect(hex(encodeModel(softmaxModel()).subarray(0, 2))).toBe('0808');
  });

  it('writes a subgraph attribute as a GraphProto (field 6) with type GRAPH (5), its names unique', () => {
    const g = new GraphBuilder();
    const x = g.input('x', [2]);
    const body = g.subgraph();
    const i = body.input(body.unique('i'), [], 7);
    const keep = body.input(body.unique('keep'), [], 9);
    const sum = body.input(body.unique('sum'), [2]);
    body.output(keep, body.unique('keep_out'), [], 9);
    body.output(body.node('Add', [sum, x]), body.unique('sum_out'), [2]);
    const trips = g.node('Reshape', [g.int64s([3]), g.int64s([])]);
    const [y] = g.multiNode('Loop', [trips, '', x], { body: attr.graph(body.buildGraph('body')) }, 1);
    g.output(y as string, 'y', [2]);
    const decoded = decodeModel(encodeModel(g.build('loop')));
    const loop = decoded.graph.node.find((n) => n.opType === 'Loop');
    expect(loop?.attribute?.[0]).toMatchObject({ name: 'body', type: 5 });
    const names = [...decoded.graph.node, ...(loop?.attribute?.[0]?.g?.node ?? [])].flatMap((n) => n.output);
    expect(new Set(names).size).toBe(names.length);
    expect(loop?.attribute?.[0]?.g?.input.map((v) => v.name)).toEqual([i, keep, sum]);
    // Constants made while building the body are the enclosing graph's initializers.
    expect(decoded.graph.initializer.length).toBe(2);
  });

  it('writes a string attribute as bytes (field 4) with type STRING (3)', () => {
    const g = new GraphBuilder();
    const x = g.input('x', [2]);
    g.output(g.node('ScatterElements', [x, x, x], { reduction: attr.string('add') }, 'y'), 'y', [2]);
    const attribute = decodeModel(encodeModel(g.build('scatter'))).graph.node[0]?.attribute?.[0];
    expect(attribute).toMatchObject({ name: 'reduction', type: 3 });
    expect(new TextDecoder().decode(attribute?.s)).toBe('add');
    // s is field 4, length-delimited: tag (4 << 3 | 2) = 0x22, length 3, 'add' = 61 64 64.
    expect(hex(encodeModel(g.build('scatter')))).toContain('2203616464');
  });

  it('writes a negative int64 attribute as a 10-byte two’s-complement varint', () => {
    // AttributeProto.i is field 3 (tag 0x18); −1 as uint64 is 2⁶⁴ − 1: nine 0xff bytes then 0x01.
    expect(hex(encodeModel(softmaxModel()))).toContain(`18${'ff'.repeat(9)}01`);
  });

  it('stores initializers as little-endian raw_data (field 9)', () => {
    // 1.5 = 0x3fc00000, −2 = 0xc0000000; raw_data tag (9 << 3 | 2) = 0x4a, length 8.
    expect(hex(encodeModel(softmaxModel()))).toContain('4a080000c03f000000c0');
  });

  it('round-trips through the decoder', () => {
    const decoded = decodeModel(encodeModel(softmaxModel()));
    expect(decoded.irVersion).toBe(8);
    expect(decoded.opsetImport).toEqual([{ domain: '', version: 17 }]);
    const node = decoded.graph.node[0];
    expect(node?.opType).toBe('Softmax');
    expect(node?.attribute?.[0]).toMatchObject({ name: 'axis', type: 2, i: -1 });
    expect(decoded.graph.input[0]?.type.tensorType).toEqual({
      elemType: 1,
      shape: { dim: [{ dimParam: 'batch' }, { dimValue: 3 }] },
    });
    expect(decoded.graph.initializer[0]).toMatchObject({ name: 'c', dims: [2], dataType: 1 });
  });
});
