import { InvalidArgumentError } from '@commander-js/extra-typings';
import type {
  ApiTokenRole,
  ProviderAllocationInput,
  RequestGroup,
  ResourceAmountInput,
} from '@placement-gateway/client';

/**
 * Option-value parsers. They throw commander's InvalidArgumentError, which commander reports
 * with the option's name and the CLI turns into exit code 2. They only check the shape of a
 * value; the service checks the rules (class names exist, amounts fit) and says which broke.
 */

export function integer(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`"${value}" is not a whole number.`);
  return Number(value);
}

export function positiveInteger(value: string): number {
  const parsed = integer(value);
  if (parsed < 1) throw new InvalidArgumentError(`"${value}" must be at least 1.`);
  return parsed;
}

export function decimalNumber(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) throw new InvalidArgumentError(`"${value}" is not a number.`);
  return parsed;
}

/** `A,B,C` → [A, B, C]; repeating the option adds to the list. */
export function list(value: string, previous: string[] = []): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list.');
  return [...previous, ...items];
}

/** Each use of the option is one group (`--any-of A,B --any-of C` → [[A, B], [C]]). */
export function groups(value: string, previous: string[][] = []): string[][] {
  return [...previous, list(value)];
}

/** Repeating the option collects every value. */
export function repeatable(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const AMOUNT = /^([A-Za-z0-9_]+):(\d+)$/;

/** `VCPU:2,MEMORY_MB:4096` → [{ resourceClass: 'VCPU', amount: 2 }, …]. */
export function resources(value: string): ResourceAmountInput[] {
  return value.split(',').map((part) => {
    const match = AMOUNT.exec(part.trim());
    if (!match) throw new InvalidArgumentError(`"${part}" is not CLASS:AMOUNT (e.g. VCPU:2,MEMORY_MB:4096).`);
    return { resourceClass: match[1]!, amount: Number(match[2]) };
  });
}

/** `<provider uuid>=VCPU:2,MEMORY_MB:4096`; repeating the option adds providers. */
export function providerAllocation(value: string, previous: ProviderAllocationInput[] = []): ProviderAllocationInput[] {
  const separator = value.indexOf('=');
  if (separator <= 0)
    throw new InvalidArgumentError(`"${value}" is not PROVIDER=CLASS:AMOUNT,… (e.g. <uuid>=VCPU:2,MEMORY_MB:4096).`);
  return [
    ...previous,
    { providerUuid: value.slice(0, separator).trim(), resources: resources(value.slice(separator + 1)) },
  ];
}

export function weigher(value: string): 'SPREAD' | 'PACK' {
  const upper = value.toUpperCase();
  if (upper !== 'SPREAD' && upper !== 'PACK') throw new InvalidArgumentError(`"${value}" is not spread or pack.`);
  return upper;
}

/** The roles a token can have, most powerful first (the service's ApiTokenRole). */
export const TOKEN_ROLES: readonly ApiTokenRole[] = ['ADMIN', 'SCHEDULER', 'READER'];

/** `scheduler` → 'SCHEDULER'; anything else is refused before a request is sent. */
export function tokenRole(value: string): ApiTokenRole {
  const upper = value.trim().toUpperCase();
  const role = TOKEN_ROLES.find((r) => r === upper);
  if (!role) throw new InvalidArgumentError(`"${value}" is not a role; roles are ${TOKEN_ROLES.join(', ')}.`);
  return role;
}

/** One `--group` value: the request's RequestGroup (API 1.3), with its lists always arrays. */
export type GroupOption = RequestGroup & {
  resources: ResourceAmountInput[];
  requiredTraits?: string[];
  forbiddenTraits?: string[];
  anyOfTraits?: string[][];
  memberOf?: string[][];
  forbiddenAggregates?: string[];
};

const GROUP_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const GROUP_AMOUNT = /^([A-Za-z0-9_]+)=(\d+)$/;
const GROUP_SYNTAX =
  'NAME:CLASS=N,…[;required=T,…][;forbidden=T,…][;anyOf=T|T][;memberOf=AGG|AGG][;forbiddenAggregates=AGG,…]';

/** `T1|T2` (an any-of list) or `T1,T2` (an all-of list): non-empty names. */
function names(value: string, separator: string, key: string): string[] {
  const items = value.split(separator).map((item) => item.trim());
  if (items.length === 0 || items.some((item) => item === ''))
    throw new InvalidArgumentError(`"${key}=${value}" needs names separated by "${separator}" (${GROUP_SYNTAX}).`);
  return items;
}

/**
 * `NAME:CLASS=N,CLASS=N;required=T1,T2;forbidden=T;anyOf=T1|T2;memberOf=AGG1|AGG2` → a
 * RequestGroup; repeating the option adds groups. Nothing after the colon is a resourceless
 * group (it then needs a trait or aggregate condition, which the service checks). anyOf and
 * memberOf may repeat: each is one more any-of list.
 */
export function requestGroup(value: string, previous: GroupOption[] = []): GroupOption[] {
  const colon = value.indexOf(':');
  if (colon < 0) throw new InvalidArgumentError(`"${value}" is not ${GROUP_SYNTAX}.`);
  const name = value.slice(0, colon).trim();
  if (!GROUP_NAME.test(name))
    throw new InvalidArgumentError(`"${name}" is not a group name (1–64 characters from A-Z a-z 0-9 _ -).`);
  const [amounts = '', ...clauses] = value.slice(colon + 1).split(';');
  const group: GroupOption = {
    name,
    resources: amounts
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const match = GROUP_AMOUNT.exec(part);
        if (!match) throw new InvalidArgumentError(`"${part}" in group ${name} is not CLASS=N (${GROUP_SYNTAX}).`);
        return { resourceClass: match[1]!, amount: Number(match[2]) };
      }),
  };
  for (const clause of clauses) {
    const equals = clause.indexOf('=');
    const key = clause.slice(0, equals).trim();
    const rest = clause.slice(equals + 1);
    if (equals < 0 && clause.trim() === '') continue;
    switch (equals < 0 ? '' : key) {
      case 'required':
        group.requiredTraits = [...(group.requiredTraits ?? []), ...names(rest, ',', key)];
        break;
      case 'forbidden':
        group.forbiddenTraits = [...(group.forbiddenTraits ?? []), ...names(rest, ',', key)];
        break;
      case 'anyOf':
        group.anyOfTraits = [...(group.anyOfTraits ?? []), names(rest, '|', key)];
        break;
      case 'memberOf':
        group.memberOf = [...(group.memberOf ?? []), names(rest, '|', key)];
        break;
      case 'forbiddenAggregates':
        group.forbiddenAggregates = [...(group.forbiddenAggregates ?? []), ...names(rest, ',', key)];
        break;
      default:
        throw new InvalidArgumentError(`"${clause}" in group ${name} is not a known clause (${GROUP_SYNTAX}).`);
    }
  }
  return [...previous, group];
}

export function groupPolicy(value: string): 'NONE' | 'ISOLATE' {
  const upper = value.trim().toUpperCase();
  if (upper !== 'NONE' && upper !== 'ISOLATE') throw new InvalidArgumentError(`"${value}" is not none or isolate.`);
  return upper;
}
