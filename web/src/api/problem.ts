/** An RFC 9457 problem answered by the API (application/problem+json), or a network failure. */
export class Problem extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string | undefined;
  readonly body: Record<string, unknown>;

  constructor(status: number, body: Record<string, unknown> | undefined) {
    const data = body ?? {};
    const detail = typeof data.detail === "string" ? data.detail : undefined;
    const title = typeof data.title === "string" ? data.title : `HTTP ${status}`;
    super(detail ?? title);
    this.status = status;
    this.code = typeof data.code === "string" ? data.code : `HTTP_${status}`;
    this.detail = detail;
    this.body = data;
  }

  /** The fields a 422 points at (`body.card.number` → `card.number`) with their messages. */
  get fields(): { field: string; message: string }[] {
    const errors = this.body.errors;
    if (!Array.isArray(errors)) return [];
    return errors.map((e: { location?: string; message?: string }) => ({
      field: (e.location ?? "").replace(/^body\./, ""),
      message: e.message ?? "",
    }));
  }
}

export function isProblem(error: unknown, code?: string): error is Problem {
  return error instanceof Problem && (code === undefined || error.code === code);
}
