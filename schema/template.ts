import { z } from "zod";

export const OsFamily = z.enum(["linux", "solaris", "windows"]);
export type OsFamily = z.infer<typeof OsFamily>;

export const TemplateArch = z.enum(["x86", "x86_64"]);
export type TemplateArch = z.infer<typeof TemplateArch>;

/**
 * A container template. An `os` template is the file tree a container is created from (Virtuozzo and
 * OpenVZ OS templates, a Solaris zone's or an lx branded zone's image); an `app` template is software
 * added to a container of a matching OS (`osFamily`, and `distribution` when set). Containers share
 * the host's kernel, so `osFamily` decides which hosts can run them.
 */
export const TemplateSpec = z
  .strictObject({
    type: z.enum(["os", "app"]).describe("os: what a container is created from; app: software added to a container"),
    osFamily: OsFamily.describe("Kernel family the template needs: decides which hosts can run it"),
    distribution: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe("os: the distribution (centos, debian, solaris, windows-server...); app: the one it needs, if any"),
    version: z.string().min(1).max(32).describe("Release of the distribution or application"),
    arch: TemplateArch.default("x86_64").describe("x86_64 templates need a 64-bit host kernel (lm); lx branded zones run x86 only"),
    diskGb: z
      .number()
      .min(0)
      .max(1024 * 1024)
      .optional()
      .describe("Disk the template's files take in a container [os 1 GB, app 0.1 GB]"),
  })
  .superRefine((t, ctx) => {
    if (t.type === "os" && t.distribution === undefined) {
      ctx.addIssue({ code: "custom", path: ["distribution"], message: "an os template names its distribution" });
    }
  });
export type TemplateSpec = z.infer<typeof TemplateSpec>;
export type TemplateSpecInput = z.input<typeof TemplateSpec>;

export const TemplateStatus = z.object({
  observedGeneration: z.int(),
  /** True for the catalog's templates, which exist without being declared. */
  builtIn: z.boolean(),
  /** Containers created from this template (os) or with it added (app). */
  containers: z.array(z.string()),
});
export type TemplateStatus = z.infer<typeof TemplateStatus>;

/** Disk a template takes when its spec does not say. */
export function templateDiskGb(t: Pick<TemplateSpec, "type" | "diskGb">): number {
  return t.diskGb ?? (t.type === "os" ? 1 : 0.1);
}
