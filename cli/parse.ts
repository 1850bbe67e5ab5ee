import { InvalidArgumentError } from '@commander-js/extra-typings';
import type { ApiTokenRole, ProviderAllocationInput, ResourceAmountInput } from '@placement-gateway/client';

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
