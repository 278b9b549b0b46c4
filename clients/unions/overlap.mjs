#!/usr/bin/env node
// For issue 9 (item 5): can typed clients select every member of an abstract type side by
// side? Relay, Apollo, Python gql and GraphQL Inspector all run graphql-js's
// OverlappingFieldsCanBeMergedRule, which rejects `... on A { f } ... on B { f }` when A.f and
// B.f differ in leaf type, nullability or list shape. This builds, for every union (and, with
// --interfaces, every interface), one fragment selecting every non-deprecated field of every
// possible type in inline fragments, runs only that rule, and prints each conflicting pair.
//
//   node unions/overlap.mjs ../schema.graphql [--interfaces] [--depth N]
//
// Leaf fields are selected plainly; composite fields get `{ __typename }` (with --depth N > 1,
// their own fields down to N levels, to find conflicts nested inside them). Fields with a
// required argument are skipped; optional arguments are left out. Exit 1 if any conflict.
import { readFileSync } from 'node:fs';
import {
  buildSchema, parse, validate, visit, TypeInfo, visitWithTypeInfo, getNamedType,
  isLeafType, isUnionType, isInterfaceType, isRequiredArgument,
  OverlappingFieldsCanBeMergedRule,
} from 'graphql';

const args = process.argv.slice(2);
const path = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
const interfaces = args.includes('--interfaces');
const depthAt = args.indexOf('--depth');
const depth = depthAt >= 0 ? Number(args[depthAt + 1]) : 1;
if (!path || !(depth >= 1)) {
  console.error('usage: overlap.mjs SCHEMA_PATH [--interfaces] [--depth N]');
  process.exit(2);
}

const schema = buildSchema(readFileSync(path, 'utf8'));

// Every non-deprecated field of an object or interface type that needs no argument.
function selectable(type) {
  return Object.values(type.getFields())
    .filter((f) => !f.deprecationReason && !f.args.some(isRequiredArgument));
}

// The selection set for a value of `type`, `level` levels below the fragment's top.
function selectAll(type, level) {
  if (isUnionType(type) || level >= depth) return '{ __typename }';
  const fields = selectable(type).map((f) => {
    const t = getNamedType(f.type);
    return isLeafType(t) ? f.name : `${f.name} ${selectAll(t, level + 1)}`;
  });
  return `{ __typename ${fields.join(' ')} }`;
}

// What can be selected side by side under `abstract`: inline fragments on each possible object
// type and on every other interface that shares one with it; an interface's own fields too.
function fragmentFor(abstract) {
  const possible = new Set(schema.getPossibleTypes(abstract));
  const shared = Object.values(schema.getTypeMap()).filter((t) => isInterfaceType(t)
    && t !== abstract && !t.name.startsWith('__')
    && schema.getPossibleTypes(t).some((o) => possible.has(o)));
  const own = isInterfaceType(abstract) ? selectAll(abstract, 0).slice(1, -1) : '';
  const parts = [...possible, ...shared].map((t) => `... on ${t.name} ${selectAll(t, 0)}`);
  return `fragment Overlap_${abstract.name} on ${abstract.name} { ${own} ${parts.join(' ')} }`;
}

const abstracts = Object.values(schema.getTypeMap())
  .filter((t) => !t.name.startsWith('__') && (isUnionType(t) || (interfaces && isInterfaceType(t))))
  .sort((a, b) => a.name.localeCompare(b.name));

let total = 0;
for (const abstract of abstracts) {
  const doc = parse(fragmentFor(abstract));
  // Where each field node sits: its parent type and how deep below the fragment's top.
  const where = new Map();
  const typeInfo = new TypeInfo(schema);
  let level = 0; // how many fields enclose this one
  visit(doc, visitWithTypeInfo(typeInfo, {
    Field: {
      enter(node) { where.set(node, { type: typeInfo.getParentType().name, level: level++ }); },
      leave() { level--; },
    },
  }));
  const errors = validate(schema, doc, [OverlappingFieldsCanBeMergedRule]);
  const kind = isUnionType(abstract) ? 'union' : 'interface';
  for (const error of errors) {
    // error.nodes: the first field, its conflicting subfields, the second field, its subfields.
    const top = error.nodes.filter((n) => where.get(n)?.level === 0);
    const [a, b] = top.map((n) => `${where.get(n).type}.${n.name.value}`);
    console.log(`${kind} ${abstract.name}: ${top[0].name.value}: ${a} vs ${b}: ${error.message}`);
    total++;
  }
  if (errors.length === 0) {
    console.log(`${kind} ${abstract.name}: ok (${where.size} fields over ${schema.getPossibleTypes(abstract).length} types)`);
  }
}
console.log(`${total} conflicting pair(s) in ${abstracts.length} abstract type(s)`);
process.exit(total > 0 ? 1 : 0);
