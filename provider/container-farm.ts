/**
 * ContainerFarm: `count` containers from one template in one declaration, named `<namePrefix>-1` ..
 * `<namePrefix>-<count>`, the i-th asking for the first free address at or after `startIp` + i - 1
 * (so a farm on free addresses gets consecutive ones, in member order, and steps over addresses others
 * hold). Growing adds members at the end; shrinking removes the last ones; the others keep their
 * containers and addresses.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { Name } from "../schema/common";
import { Ipv4 } from "../schema/container";
import { formatIpv4, parseIpv4 } from "../schema/ipv4";
import { Container, type ContainerArgs } from "./resources";
import { issueField } from "../schema/issues";

export type ContainerFarmArgs = Omit<ContainerArgs, "name" | "ipAddresses" | "ipFrom"> & {
  /** How many containers; a plain number, since it decides which resources exist. */
  count: number;
  /** Member names are `<namePrefix>-<i>` [the farm's name]. */
  namePrefix?: string;
  /** The first member's address; the others follow. */
  startIp: pulumi.Input<string>;
};

const FarmShape = z.strictObject({ count: z.int().min(0).max(100_000), namePrefix: Name });

/** The member names of a farm of `count` containers. */
export function farmMemberNames(namePrefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${namePrefix}-${i + 1}`);
}

export class ContainerFarm extends pulumi.ComponentResource {
  readonly containers: Container[];
  /** Each member's addresses, in member order. */
  readonly addresses: pulumi.Output<string[][]>;
  /** Where each member runs, in member order. */
  readonly hosts: pulumi.Output<(string | null)[]>;

  constructor(name: string, args: ContainerFarmArgs, opts?: pulumi.ComponentResourceOptions) {
    super("polyvisor:index:ContainerFarm", name, {}, opts);
    const { count, namePrefix = name, startIp, ...member } = args;
    const shape = FarmShape.safeParse({ count, namePrefix });
    if (!shape.success) {
      const issue = shape.error.issues[0];
      throw new Error(`InvalidSpec: ContainerFarm ${name}: field ${issueField(issue, "count")}: ${issue.message}`);
    }
    const start = pulumi.output(startIp).apply((ip) => {
      const parsed = Ipv4.safeParse(ip);
      if (!parsed.success)
        throw new Error(`InvalidSpec: ContainerFarm ${name}: field startIp: ${parsed.error.issues[0].message} (got ${JSON.stringify(ip)})`);
      return parseIpv4(ip);
    });
    this.containers = farmMemberNames(namePrefix, count).map(
      (memberName, i) => new Container(memberName, { ...member, ipFrom: start.apply((first) => formatIpv4(first + i)) }, { parent: this }),
    );
    this.addresses = pulumi.all(this.containers.map((c) => c.status.apply((s) => s?.ipAddresses ?? [])));
    this.hosts = pulumi.all(this.containers.map((c) => c.currentHost));
    this.registerOutputs({ addresses: this.addresses, hosts: this.hosts });
  }
}
