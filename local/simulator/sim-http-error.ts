/**
 * An error the simulator answers with, in the body shape of the service that raised it. ARM and the resource
 * providers answer `{ error: { code, message, details? } }`; Log Analytics adds `innererror`.
 */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: {
      readonly details?: { code: string; message: string; target?: string }[];
      readonly innererror?: Record<string, unknown>;
      readonly headers?: Record<string, string>;
      readonly target?: string;
    } = {},
  ) {
    super(message);
  }

  body(): { error: Record<string, unknown> } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.extra.target ? { target: this.extra.target } : {}),
        ...(this.extra.details ? { details: this.extra.details } : {}),
        ...(this.extra.innererror ? { innererror: this.extra.innererror } : {}),
      },
    };
  }
}

export function badRequest(code: string, message: string, details?: { code: string; message: string; target?: string }[]): SimHttpError {
  return new SimHttpError(400, code, message, details ? { details } : {});
}

export function notFound(resourceType: string, name: string, resourceGroup?: string): SimHttpError {
  return new SimHttpError(
    404,
    resourceGroup ? 'ResourceNotFound' : 'NotFound',
    resourceGroup
      ? `The Resource '${resourceType}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`
      : `The resource '${name}' was not found.`,
  );
}
