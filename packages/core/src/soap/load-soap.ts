import type * as Soap from 'soap';
import { LgxError } from '../errors/lgx-error';

/** The `soap` package, as LGX uses it. */
export type SoapModule = typeof Soap;

let loading: Promise<SoapModule> | undefined;

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
}

/**
 * Loads the optional `soap` peer dependency on first use, so REST-only adapters never pay for it
 * and a missing install is reported as a coded error with the fix, not a bare module error.
 */
export function loadSoap(): Promise<SoapModule> {
  loading ??= import('soap').then(
    (mod) => ((mod as SoapModule & { default?: SoapModule }).default ?? mod) as SoapModule,
    (cause: unknown) => {
      loading = undefined;
      const message = isMissing(cause)
        ? "the optional 'soap' package is not installed: run `npm install soap@^1.13` beside @lgx/core"
        : "the optional 'soap' package could not be loaded";
      throw new LgxError('LGX_ERR_SOAP_UNAVAILABLE', message, { cause });
    },
  );
  return loading;
}
