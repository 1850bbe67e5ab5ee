import type { InUseError } from '../../placement/errors.js';

/**
 * The classes of Placement's InventoryInUse text (`'VCPU, MEMORY_MB'`): every allocated class
 * the write would remove, or the one the identifier (`<provider uuid>/<class>`) names.
 */
export function inUseClasses(error: InUseError): string {
  if (error.resourceClasses.length > 0) return error.resourceClasses.join(', ');
  return error.identifier.slice(error.identifier.indexOf('/') + 1);
}
