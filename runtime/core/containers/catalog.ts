/**
 * The built-in templates: they exist without being declared, as the precreated OS templates and the
 * application templates that OpenVZ and Virtuozzo ship. Names follow OpenVZ's precreated template
 * convention `<distribution>-<version>-<arch>`. A declared Template of the same name replaces the
 * built-in one. Each entry says where it comes from.
 */
import type { TemplateSpec } from "../../../schema/template";

export interface CatalogTemplate {
  name: string;
  spec: TemplateSpec;
  sources: readonly string[];
}

const OPENVZ_PRECREATED =
  "OpenVZ download area, precreated OS templates (download.openvz.org/template/precreated): <distribution>-<version>-<arch>.tar.gz";
const VZ_LINUX_TEMPLATES =
  "Virtuozzo 3.5 for Linux, Templates Management Guide: OS templates for Red Hat/CentOS, Fedora, SUSE, Debian and Ubuntu, and application templates added to a container with vzpkg";
const VZ_WINDOWS = "Virtuozzo 3.5 for Windows, User's Guide: containers run on a Windows Server 2003 host and share its kernel";
const SOLARIS_ZONES =
  "System Administration Guide: Solaris Containers - Resource Management and Solaris Zones (Solaris 10), Part II: a non-global zone runs the global zone's Solaris 10 kernel";
const LX_BRAND =
  "System Administration Guide: Solaris Containers, chapter 'About Branded Zones and the Linux Branded Zone' (Solaris 10 8/07, x86 only): lx zones run 32-bit CentOS 3.x and Red Hat Enterprise Linux 3.x binaries";

const os = (
  name: string,
  distribution: string,
  version: string,
  osFamily: TemplateSpec["osFamily"],
  arch: TemplateSpec["arch"],
  sources: string[],
): CatalogTemplate => ({
  name,
  spec: { type: "os", osFamily, distribution, version, arch },
  sources,
});

const app = (name: string, version: string, osFamily: TemplateSpec["osFamily"], sources: string[]): CatalogTemplate => ({
  name,
  spec: { type: "app", osFamily, version, arch: "x86_64" },
  sources,
});

export const BUILT_IN_TEMPLATES: readonly CatalogTemplate[] = [
  os("centos-4-x86", "centos", "4", "linux", "x86", [OPENVZ_PRECREATED]),
  os("centos-5-x86", "centos", "5", "linux", "x86", [OPENVZ_PRECREATED]),
  os("centos-5-x86_64", "centos", "5", "linux", "x86_64", [OPENVZ_PRECREATED, VZ_LINUX_TEMPLATES]),
  os("debian-4.0-x86", "debian", "4.0", "linux", "x86", [OPENVZ_PRECREATED]),
  os("debian-4.0-x86_64", "debian", "4.0", "linux", "x86_64", [OPENVZ_PRECREATED, VZ_LINUX_TEMPLATES]),
  os("fedora-7-x86", "fedora", "7", "linux", "x86", [OPENVZ_PRECREATED]),
  os("suse-10.2-x86", "suse", "10.2", "linux", "x86", [OPENVZ_PRECREATED, VZ_LINUX_TEMPLATES]),
  os("ubuntu-6.06-x86", "ubuntu", "6.06", "linux", "x86", [OPENVZ_PRECREATED]),
  os("ubuntu-7.04-x86_64", "ubuntu", "7.04", "linux", "x86_64", [OPENVZ_PRECREATED]),
  // The Linux userlands an lx branded zone runs: 32-bit only.
  os("centos-3-x86", "centos", "3", "linux", "x86", [OPENVZ_PRECREATED, LX_BRAND]),
  os("rhel-3-x86", "rhel", "3", "linux", "x86", [LX_BRAND]),
  os("solaris-10-x86", "solaris", "10", "solaris", "x86", [SOLARIS_ZONES]),
  os("solaris-10-x86_64", "solaris", "10", "solaris", "x86_64", [SOLARIS_ZONES]),
  os("windows-server-2003-x86", "windows-server", "2003", "windows", "x86", [VZ_WINDOWS]),
  os("windows-server-2003-x86_64", "windows-server", "2003", "windows", "x86_64", [VZ_WINDOWS]),
  app("apache", "2.2", "linux", [VZ_LINUX_TEMPLATES]),
  app("mysql", "5.0", "linux", [VZ_LINUX_TEMPLATES]),
  app("php", "5.2", "linux", [VZ_LINUX_TEMPLATES]),
  app("postgresql", "8.2", "linux", [VZ_LINUX_TEMPLATES]),
  app("iis", "6.0", "windows", [VZ_WINDOWS]),
];

const BY_NAME: ReadonlyMap<string, CatalogTemplate> = new Map(BUILT_IN_TEMPLATES.map((t) => [t.name, t]));

export function builtInTemplate(name: string): CatalogTemplate | undefined {
  return BY_NAME.get(name);
}
