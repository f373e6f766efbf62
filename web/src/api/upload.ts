/** Send a file straight to S3 with a presigned POST form the API answered
 * (`{url, fields, key}`); the form's policy fixes the type and the largest size. */
import { Problem } from "./problem";

/** The picture types the API takes (product images, shop logos, review photos). */
export const IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;

/** The picture type to ask an upload form for: the file's own, or JPEG when the browser
 * does not tell (the API checks the first bytes anyway). */
export function imageType(file: File): (typeof IMAGE_TYPES)[number] {
  return IMAGE_TYPES.find((type) => type === file.type) ?? "image/jpeg";
}

export interface UploadForm {
  url: string;
  fields: Record<string, string>;
  key: string;
}

export async function uploadTo(form: UploadForm, file: File): Promise<string> {
  const body = new FormData();
  Object.entries(form.fields).forEach(([name, value]) => body.append(name, value));
  body.append("file", file);
  const response = await fetch(form.url, { method: "POST", body });
  if (!response.ok) {
    throw new Problem(response.status, {
      code: "UPLOAD_REFUSED",
      detail: `The storage refused ${file.name} (${response.status}): check its type and size.`,
    });
  }
  return form.key;
}
