import { DateTimeResolver, SafeIntResolver, UUIDResolver } from 'graphql-scalars';
import { builder } from '../builder.js';

builder.addScalarType('UUID', UUIDResolver);
builder.addScalarType('DateTime', DateTimeResolver);
// Capacities and usages can pass 2^31 (total × allocation ratio), so they are SafeInt, not Int.
builder.addScalarType('SafeInt', SafeIntResolver);
