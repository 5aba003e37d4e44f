export {
  FILTER_FIELDS,
  FIELD_KINDS,
  OPERATORS,
  OPERATOR_FIELD_KINDS,
  MAX_FILTER_DEPTH,
  MAX_FILTER_NODES,
  filterSchema,
  parseFilter,
  segmentNameSchema,
  segmentSchema,
  parseSegment,
  formatIssuePath,
} from './filter.js';
export type {
  AndGroup,
  Condition,
  ContactFilterField,
  FieldKind,
  FilterField,
  FilterNode,
  NotGroup,
  Operator,
  OrGroup,
  PropertyField,
  Segment,
} from './filter.js';
export { compileFilter } from './evaluate.js';
export type { ContactPredicate, EvaluationContext } from './evaluate.js';
export { describeFilter } from './describe.js';
