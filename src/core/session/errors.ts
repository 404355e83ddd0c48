import { RpcError } from '../../shared/rpc/errors';
import type { ClinicServerError } from '../clinic/clinic-server-client';

/**
 * A failed call to the clinic server as the renderer should see it: a stable RPC code and a
 * sentence for the clinician (never the server's raw text, a stack or PHI).
 */
export function clinicServerErrorToRpc(error: ClinicServerError): RpcError {
  switch (error.code) {
    case 'INVALID_URL':
    case 'INSECURE_URL':
    case 'UNSUPPORTED_URL':
      return new RpcError(
        'SERVER_URL_REJECTED',
        error.code === 'INSECURE_URL'
          ? 'The clinic server address must start with https:// (plain http is allowed only to this computer).'
          : 'The clinic server address is not a valid web address.',
      );
    case 'OFFLINE':
    case 'ABORTED':
      return new RpcError(
        'SERVER_UNREACHABLE',
        'The clinic server cannot be reached. Check the address and the network.',
      );
    case 'INVALID_CREDENTIALS':
      return new RpcError('INVALID_CREDENTIALS', 'The username or password was not accepted.');
    case 'RATE_LIMITED':
      return new RpcError(
        'RATE_LIMITED',
        error.retryAfterSeconds !== null
          ? `Too many sign-in attempts. Try again in ${Math.max(1, Math.ceil(error.retryAfterSeconds))} seconds.`
          : 'Too many sign-in attempts. Try again in a little while.',
      );
    case 'SIGN_IN_REQUIRED':
    case 'REFRESH_INVALID':
    case 'REFRESH_REUSED':
    case 'UNAUTHENTICATED':
    case 'TOKEN_EXPIRED':
      return new RpcError('SIGN_IN_REQUIRED', 'The clinic server session ended. Sign in again.');
    case 'DEVICE_REVOKED':
    case 'FORBIDDEN':
      return new RpcError('FORBIDDEN', 'The clinic server refused this workstation. Ask your administrator.');
    default:
      if (error.status !== null && (error.status >= 500 || error.status === 503)) {
        return new RpcError('SERVER_UNREACHABLE', 'The clinic server is not available right now. Try again later.');
      }
      return new RpcError(
        'SERVER_INCOMPATIBLE',
        'The clinic server answered something this workstation does not understand. Check the address.',
      );
  }
}
