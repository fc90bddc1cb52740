/**
 * Templates as the runtime sees them: a declared Template, else the built-in one of that name. An OS
 * template is what a container is created from; app templates added to it must suit its OS.
 */
import type { ContainerSpec } from "../../../schema/container";
import { templateDiskGb } from "../../../schema/template";
import { refuse } from "../kernel/errors";
import type { Kind, RuntimeObject, TemplateRecord } from "../kernel/model";
import { builtInTemplate } from "./catalog";

/** The world or an operation's view of it. */
interface TemplateView {
  get(kind: Kind, name: string): RuntimeObject | undefined;
}

/** A built-in template as a runtime object: generation 0, never stored. */
export function builtInTemplateObject(name: string): TemplateRecord | undefined {
  const t = builtInTemplate(name);
  return t && { kind: "Template", name, spec: t.spec, status: { observedGeneration: 0, builtIn: true }, generation: 0 };
}

export function findTemplate(view: TemplateView, name: string): TemplateRecord | undefined {
  return (view.get("Template", name) as TemplateRecord | undefined) ?? builtInTemplateObject(name);
}

const at = (name: string, field: string) => ({ kind: "Container" as const, name, field });

/** The container's OS template and app templates, checked against each other and the disk quota; refuses naming the field. */
export function containerTemplates(view: TemplateView, name: string, spec: ContainerSpec): { os: TemplateRecord; apps: TemplateRecord[] } {
  const os = findTemplate(view, spec.template);
  if (!os) refuse("NotFound", at(name, "template"), `Template ${spec.template} does not exist (declare it, or use a built-in OS template)`);
  if (os.spec.type !== "os")
    refuse(
      "InvalidSpec",
      at(name, "template"),
      `Template ${os.name} is an app template; a container is created from an OS template and lists app templates under apps`,
    );
  const apps = spec.apps.map((appName, i) => {
    const app = findTemplate(view, appName);
    if (!app) refuse("NotFound", at(name, `apps.${i}`), `Template ${appName} does not exist`);
    if (app.spec.type !== "app") refuse("InvalidSpec", at(name, `apps.${i}`), `Template ${appName} is an OS template, not an app template`);
    const wanted = app.spec.distribution === undefined ? app.spec.osFamily : `${app.spec.osFamily} ${app.spec.distribution}`;
    if (app.spec.osFamily !== os.spec.osFamily || (app.spec.distribution !== undefined && app.spec.distribution !== os.spec.distribution)) {
      refuse(
        "Incompatible",
        at(name, `apps.${i}`),
        `app template ${appName} needs ${wanted}; OS template ${os.name} is ${os.spec.osFamily} ${os.spec.distribution}`,
      );
    }
    return app;
  });
  // The disk quota holds the template's files and the apps' (OpenVZ: the private area's quota).
  const filesGb = [os, ...apps].reduce((sum, t) => sum + templateDiskGb(t.spec), 0);
  if (filesGb > spec.diskGb) {
    refuse(
      "InvalidSpec",
      at(name, "diskGb"),
      `the templates' files take ${Math.round(filesGb * 10) / 10} GB (${[os, ...apps].map((t) => `${t.name} ${templateDiskGb(t.spec)} GB`).join(", ")}), more than the ${spec.diskGb} GB disk quota`,
    );
  }
  return { os, apps };
}
