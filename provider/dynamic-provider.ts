/**
 * The dynamic provider objects Pulumi serializes into every resource's state. Each method is a
 * one-liner that loads the implementation at call time by package name, resolved from the program's
 * folder: nothing but the kind string is captured, so the serialized text stays small and valid
 * when the package is upgraded or the checkout moves. (Do not import anything here.)
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ManagedKind } from "../schema";

export function dynamicProviderFor(kind: ManagedKind): pulumi.dynamic.ResourceProvider {
  return {
    async configure(req) {
      return require("polyvisor/provider-impl").configureProvider(req);
    },
    async check(olds, news) {
      return require("polyvisor/provider-impl").checkResource(kind, olds, news);
    },
    async diff(id, olds, news) {
      return require("polyvisor/provider-impl").diffResource(kind, id, olds, news);
    },
    async create(inputs) {
      return require("polyvisor/provider-impl").createResource(kind, inputs);
    },
    async read(id, props) {
      return require("polyvisor/provider-impl").readResource(kind, id, props);
    },
    async update(id, olds, news) {
      return require("polyvisor/provider-impl").updateResource(kind, id, olds, news);
    },
    async delete(id, props) {
      return require("polyvisor/provider-impl").deleteResource(kind, id, props);
    },
  };
}
