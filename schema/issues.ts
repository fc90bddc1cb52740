/** Where a zod issue points, as every refusal and preview failure names fields. */
import type { z } from "zod";

/** The issue's path; an unknown key is named by itself, not by the object holding it. */
export function issuePath(issue: z.core.$ZodIssue): PropertyKey[] {
  return issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]] : [...issue.path];
}

/** The issue's dotted field, or `whole` when the input as a whole is wrong. */
export function issueField(issue: z.core.$ZodIssue, whole: string): string {
  return issuePath(issue).map(String).join(".") || whole;
}
