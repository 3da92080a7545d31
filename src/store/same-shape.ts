/**
 * `Model` when a table's row type and the model's type have exactly the same fields, `never`
 * otherwise: a column added to the schema but not to `src/model/` (or the other way round) stops
 * the type check wherever the row type is used, instead of leaving the model quietly behind.
 */
export type SameShape<Row, Model> = [Row] extends [Model] ? ([Model] extends [Row] ? Model : never) : never;
