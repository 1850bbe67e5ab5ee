import type { RestHandler } from '../context.js';
import { MAX_VERSION, MIN_VERSION } from '../microversion.js';

/** GET / (handlers/root.py): the version document; from 1.15 with Last-Modified of now. */
export const home: RestHandler = async () => ({
  status: 200,
  body: {
    versions: [
      {
        id: `v${MIN_VERSION}`,
        max_version: MAX_VERSION,
        min_version: MIN_VERSION,
        status: 'CURRENT',
        links: [{ rel: 'self', href: '' }],
      },
    ],
  },
  lastModified: new Date(),
});
