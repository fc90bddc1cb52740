/**
 * Template: an OS template a container is created from, or an app template added to one. Built-in
 * templates (containers/catalog.ts) exist without being declared; a declared one of the same name
 * takes its place. A template in use cannot change its OS family or be deleted.
 */
import { TemplateSpec } from "../../../schema/template";
import { refuse } from "../kernel/errors";
import type { TemplateRecord } from "../kernel/model";
import { refuseIfDependents, requireExisting } from "./common";
import { defineKind } from "./define-kind";

export const templateHandler = defineKind<TemplateSpec, TemplateRecord>({
  kind: "Template",
  schema: TemplateSpec,
  write(txn, { name, spec, existing, generation, announce }) {
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
    txn.put<TemplateRecord>({ kind: "Template", name, spec, status: { observedGeneration: generation, builtIn: false }, generation });
    announce(`${spec.type} template: ${spec.osFamily}${spec.distribution ? ` ${spec.distribution}` : ""} ${spec.version} ${spec.arch}`);
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
});
