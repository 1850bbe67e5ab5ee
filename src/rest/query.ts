import { isStoredUuid } from '../placement/validation.js';
import type { RestContext } from './context.js';
import { RestError } from './errors.js';
import { isUuidLike, type JsonSchema, schemaError } from './json-schema.js';

/** webob's req.GET as a dict: each parameter's last value. */
export function queryDict(ctx: RestContext): Record<string, string> {
  const dict: Record<string, string> = {};
  for (const [key, value] of ctx.url.searchParams) dict[key] = value;
  return dict;
}

/** util.validate_query_params: 400 "Invalid query string parameters: <jsonschema's message>". */
export function validateQuery(ctx: RestContext, schema: JsonSchema): Record<string, string> {
  const dict = queryDict(ctx);
  const problem = schemaError(dict, schema);
  if (problem !== null) throw new RestError(400, `Invalid query string parameters: ${problem}`);
  return dict;
}

/** util.normalize_resources_qs_param: `VCPU:2,MEMORY_MB:1024` → amounts by class. */
export function resourcesParam(value: string): Map<string, number> {
  const form = '?resources=VCPU:2,MEMORY_MB:1024';
  if (value.trim() === '')
    throw new RestError(
      400,
      `Badly formed resources parameter. Expected resources query string parameter in form: ${form}. Got: empty string.`,
    );
  const result = new Map<string, number>();
  for (const pair of value.split(',')) {
    const parts = pair.split(':');
    if (parts.length !== 2)
      throw new RestError(
        400,
        `Badly formed resources parameter. Expected resources query string parameter in form: ${form}. Got: ${pair}.`,
      );
    const [name = '', amountText = ''] = parts;
    if (!/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(amountText))
      throw new RestError(400, `Requested resource ${name} expected positive integer amount. Got: ${amountText}.`);
    const amount = Number.parseInt(amountText.replace(/_/g, ''), 10);
    if (amount < 1) throw new RestError(400, `Requested resource ${name} requires amount >= 1. Got: ${amount}.`);
    result.set(name, amount);
  }
  return result;
}

/** util.normalize_member_of_qs_params: required any-of sets and forbidden aggregates. */
export function memberOfParams(
  ctx: RestContext,
  options: { multiple: boolean; forbidden: boolean },
): { required: string[][]; forbidden: string[] } {
  return memberOfValues(ctx.url.searchParams.getAll('member_of'), options);
}

/** The same for the values of one `member_of<suffix>` key (GET /allocation_candidates has suffixed groups). */
export function memberOfValues(
  values: string[],
  options: { multiple: boolean; forbidden: boolean },
  suffix = '',
): { required: string[][]; forbidden: string[] } {
  if (!options.multiple && values.length > 1)
    throw new RestError(400, `Multiple member_of${suffix} parameters are not supported`);
  const required: string[][] = [];
  const forbidden = new Set<string>();
  for (const value of values) {
    if (value.includes(',') && !(value.startsWith('in:') || value.startsWith('!in:')))
      throw new RestError(
        400,
        `Multiple values for 'member_of' must be prefixed with the 'in:' or '!in:' keyword using the valid microversion. Got: ${value}`,
      );
    let want: string[] = [];
    let refuse: string[] = [];
    if (value.startsWith('!in:')) refuse = value.slice(4).split(',');
    else if (value.startsWith('!')) refuse = [value.slice(1)];
    else if (value.startsWith('in:')) want = value.slice(3).split(',');
    else want = [value];
    for (const uuid of [...new Set([...want, ...refuse])]) {
      if (!isUuidLike(uuid))
        throw new RestError(
          400,
          `Invalid query string parameters: Expected 'member_of' parameter to contain valid UUID(s). Got: ${uuid}`,
        );
    }
    // Aggregates are looked up as written (Placement compares the text): another spelling of a
    // uuid matches none, so it drops out of a list, and a list left empty matches no provider.
    if (want.length) required.push([...new Set(want)].filter((uuid) => storedUuid(uuid) !== null));
    if (refuse.length) {
      if (!options.forbidden)
        throw new RestError(
          400,
          `Forbidden member_of${suffix} parameters are not supported in the specified microversion`,
        );
      for (const uuid of refuse) if (storedUuid(uuid) !== null) forbidden.add(uuid);
    }
  }
  return { required, forbidden: [...forbidden] };
}

/** util.normalize_traits_qs_params for `required`: any-of groups (AND of them) and forbidden traits. */
export function requiredParams(
  ctx: RestContext,
  options: { forbidden: boolean; anyOf: boolean },
): { required: string[][]; forbidden: string[] } {
  return requiredValues(ctx.url.searchParams.getAll('required'), options);
}

/** The same for the values of one `required<suffix>` key (or root_required's one value). */
export function requiredValues(
  allValues: string[],
  options: { forbidden: boolean; anyOf: boolean },
): { required: string[][]; forbidden: string[] } {
  const values = options.anyOf ? allValues : allValues.slice(-1);
  const required: string[][] = [];
  const forbidden = new Set<string>();
  const prefix = 'Invalid query string parameters:';
  for (const value of values) {
    if (value.startsWith('in:')) {
      if (!options.anyOf)
        throw new RestError(
          400,
          `${prefix} The format 'in:HW_CPU_X86_VMX,CUSTOM_MAGIC' only supported since microversion 1.39. Got: ${value}`,
        );
      const anyOf = [
        ...new Set(
          value
            .slice(3)
            .split(',')
            .map((name) => name.trim()),
        ),
      ];
      if (anyOf.some((name) => name === ''))
        throw new RestError(
          400,
          `${prefix} Expected 'required' parameter value of the form: in:HW_CPU_X86_VMX,CUSTOM_MAGIC. Got an empty trait in: ${value}`,
        );
      if (anyOf.some((name) => name.startsWith('!')))
        throw new RestError(
          400,
          `${prefix} The format 'in:HW_CPU_X86_VMX,CUSTOM_MAGIC' does not support forbidden traits. Got: ${value}`,
        );
      required.push(anyOf);
      continue;
    }
    const all = value.split(',').map((name) => name.trim());
    const refused = all.filter((name) => name.startsWith('!')).map((name) => name.replace(/^!+/, ''));
    if ([...refused, ...all].some((name) => name === '')) {
      const form = options.forbidden ? 'HW_CPU_X86_VMX,!CUSTOM_MAGIC' : 'HW_CPU_X86_VMX,CUSTOM_MAGIC';
      throw new RestError(
        400,
        `${prefix} Expected 'required' parameter value of the form: ${form}. Got an empty trait in: ${value}`,
      );
    }
    if (refused.length && !options.forbidden)
      throw new RestError(
        400,
        `${prefix} Expected 'required' parameter value of the form: HW_CPU_X86_VMX,CUSTOM_MAGIC. Got: ${value}`,
      );
    for (const name of all) if (!name.startsWith('!')) required.push([name]);
    for (const name of refused) forbidden.add(name);
  }
  return { required, forbidden: [...forbidden] };
}

/**
 * The uuid as Placement stores it (lower case, dashed), or null for any other spelling: Placement
 * looks uuids in paths, queries and parent references up as written (SQLite compares text), so an
 * upper-case, braced or dash-less spelling names nothing there (test/rest-uuid-forms.test.ts).
 */
export function storedUuid(value: string): string | null {
  return isStoredUuid(value) ? value : null;
}

/** str(uuid.UUID(value)): the canonical lower-case, hyphenated form of a uuid-like string. */
export function canonicalUuid(value: string): string {
  const hex = value
    .replace(/urn:/g, '')
    .replace(/uuid:/g, '')
    .replace(/^[{}]+|[{}]+$/g, '')
    .replace(/-/g, '')
    .toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
