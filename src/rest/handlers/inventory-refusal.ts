import type { InvalidInputError } from '../../placement/errors.js';
import { RestError } from '../errors.js';

const snake = (text: string) => text.replace(/[a-z][A-Z]/g, (pair) => `${pair[0]}_${pair[1]!.toLowerCase()}`);

/**
 * An engine refusal of inventory values Placement would take (allocation_ratio 0, min_unit
 * above max_unit: docs/SEMANTICS.md "Placement REST API"), in Placement's words: the class and
 * provider named, the field by its REST name (`allocation_ratio must be greater than 0`), never
 * the engine's GraphQL path (`inventories[1].allocationRatio`).
 */
export function inventoryRefusal(uuid: string, resourceClass: string, error: InvalidInputError): RestError {
  const field = snake(error.field.slice(error.field.lastIndexOf('.') + 1));
  const reason = snake(error.message.slice(error.message.indexOf(': ') + 2));
  return new RestError(400, `Bad inventory ${resourceClass} for resource provider ${uuid}: ${field} ${reason}`);
}
