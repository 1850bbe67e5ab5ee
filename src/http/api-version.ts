import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import { deprecatedUsageCounter } from '../metrics.js';
import { type DeprecationNotice, deprecatedUsage } from '../schema/deprecated-usage.js';
import {
  type ApiVersion,
  LATEST_VERSION,
  OLDEST_VERSION,
  RELEASED_VERSIONS,
  SERVED_VERSIONS,
  selectVersion,
  VERSION_BEHAVIOUR,
  VERSION_HEADER,
} from '../versions.js';
import { earlyErrorResponse } from './early-error.js';

const servedBy = new WeakMap<Request, ApiVersion>();
const noticesOf = new WeakMap<Request, DeprecationNotice[]>();

/** The version a request selected; requests that never passed the plugin get the oldest. */
export function versionOf(request: Request): ApiVersion {
  return servedBy.get(request) ?? OLDEST_VERSION;
}

export function versionContext(request: Request): Pick<Context, 'apiVersion' | 'behaviour'> {
  const apiVersion = versionOf(request);
  return { apiVersion, behaviour: VERSION_BEHAVIOUR[apiVersion] };
}

function unsupportedVersionResponse(
  fetchAPI: { Response: typeof Response },
  requested: string,
  reason: 'malformed' | 'unsupported',
): Response {
  const what = reason === 'malformed' ? 'is not a version (expected MAJOR.MINOR, e.g. 1.1)' : 'is not served here';
  return earlyErrorResponse(
    fetchAPI,
    400,
    `${VERSION_HEADER}: "${requested}" ${what}; supported versions are ${SERVED_VERSIONS.join(', ')} (min ${OLDEST_VERSION}, max ${LATEST_VERSION})`,
    {
      code: 'UNSUPPORTED_API_VERSION',
      requested,
      reason,
      minVersion: OLDEST_VERSION,
      maxVersion: LATEST_VERSION,
      supportedVersions: SERVED_VERSIONS,
    },
  );
}

/** RFC 9745 `Deprecation: @<seconds>` (when it was deprecated) and RFC 8594 `Sunset` (earliest removal). */
function deprecationHeaders(notices: DeprecationNotice[]): Record<string, string> {
  const deprecatedOn = notices
    .map((n) => RELEASED_VERSIONS.find((v) => v.version === n.since)?.released)
    .filter((d): d is string => d !== undefined)
    .sort()[0];
  const removal = notices
    .map((n) => n.removalDate)
    .filter((d): d is string => d !== undefined)
    .sort()[0];
  const headers: Record<string, string> = {
    Deprecation: deprecatedOn ? `@${Math.floor(Date.parse(`${deprecatedOn}T00:00:00Z`) / 1000)}` : '@0',
  };
  if (removal) headers.Sunset = new Date(`${removal}T00:00:00Z`).toUTCString();
  return headers;
}

/**
 * API versions over HTTP (docs/API-VERSIONS.md): reads `Placement-API-Version`, refuses
 * malformed or unserved versions before any work, echoes the serving version on every
 * GraphQL response, and reports deprecated members an operation touched in `extensions`,
 * in `Deprecation`/`Sunset` headers and in a per-member counter.
 */
export function useApiVersions(
  graphqlEndpoint: string,
  served: readonly ApiVersion[] = SERVED_VERSIONS,
): Plugin<Context> {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== graphqlEndpoint) return;
      const selection = selectVersion(request.headers.get(VERSION_HEADER), served);
      if (!selection.ok) {
        endResponse(unsupportedVersionResponse(fetchAPI, selection.requested, selection.reason));
        return;
      }
      servedBy.set(request, selection.version);
    },
    onExecute({ args }) {
      const request = (args.contextValue as Context & { request?: Request }).request;
      const notices = deprecatedUsage(args.schema, args.document, args.variableValues, args.operationName);
      if (notices.length === 0 || !request) return;
      noticesOf.set(request, notices);
      const version = versionOf(request);
      for (const n of notices) deprecatedUsageCounter.inc({ version, member: n.member });
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          setResult({ ...result, extensions: { ...result.extensions, deprecations: notices } });
        },
      };
    },
    onResponse({ request, response }) {
      const version = servedBy.get(request);
      if (!version) return;
      response.headers.set(VERSION_HEADER, version);
      const notices = noticesOf.get(request);
      if (notices)
        for (const [name, value] of Object.entries(deprecationHeaders(notices))) response.headers.set(name, value);
    },
  };
}
