/**
 * Template: an OS template a container is created from, or an app template added to one. Built-in
 * templates (containers/catalog.ts) exist without being declared; a declared one of the same name
 * takes its place. A template in use cannot change its OS family or be deleted.
 */
import { TemplateSpec } from "../../../schema/template";
import { refuse } from "../kernel/errors";
import type { TemplateRecord } from "../kernel/model";
import { type KindHandler, describeChanges, guardMode, parseSpec, refuseIfDependents, requireExisting, sameSpec } from "./common";

export const templateHandler: KindHandler = {
  apply(txn, name, raw, mode) {
    const spec = parseSpec("Template", name, TemplateSpec, raw);
    const existing = txn.get<TemplateRecord>("Template", name);
    guardMode("Template", name, existing, mode);
    if (existing && sameSpec(existing.spec, spec)) return existing;
    const users = txn.related("containersByTemplate", name);
    if (
      existing &&
      users.length > 0 &&
      (existing.spec.osFamily !== spec.osFamily || existing.spec.type !== spec.type || existing.spec.arch !== spec.arch)
    ) {
      refuse(
        "Conflict",
        { kind: "Template", name, field: "osFamily" },
        `${users.length} container(s) use the template; its type, OS family and arch cannot change under them`,
        users,
      );
    }
    const generation = existing ? existing.generation + 1 : 1;
    txn.put<TemplateRecord>({ kind: "Template", name, spec, status: { observedGeneration: generation, builtIn: false }, generation });
    if (existing) txn.emit("Template", name, "Updated", describeChanges(existing.spec, spec).join("; "));
    else
      txn.emit(
        "Template",
        name,
        "Created",
        `${spec.type} template: ${spec.osFamily}${spec.distribution ? ` ${spec.distribution}` : ""} ${spec.version} ${spec.arch}`,
      );
    return txn.get<TemplateRecord>("Template", name)!;
  },

  delete(txn, name) {
    requireExisting<TemplateRecord>(txn, "Template", name);
    refuseIfDependents(
      "Template",
      name,
      txn.related("containersByTemplate", name).map((c) => `Container ${c}`),
    );
    txn.remove("Template", name);
    txn.emit("Template", name, "Deleted", "template deleted");
  },
};
