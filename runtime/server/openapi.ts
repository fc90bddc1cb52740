/** The OpenAPI 3.1 document, generated from the route table's zod schemas and the kinds' spec schemas. */
import { z } from "zod";
import { SPEC_SCHEMAS } from "../../schema";
import { ClockSchema, ErrorBodySchema, ROUTES, RuntimeEventSchema, RuntimeObjectSchema, WhoamiSchema } from "./routes";

const jsonSchema = (schema: z.ZodType, io: "input" | "output") =>
  z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" });

/** Schemas published once under components and referenced by identity. */
const COMPONENTS = new Map<z.ZodType, string>([
  [RuntimeObjectSchema, "RuntimeObject"],
  [RuntimeEventSchema, "RuntimeEvent"],
  [ErrorBodySchema, "Error"],
  [ClockSchema, "Clock"],
  [WhoamiSchema, "Whoami"],
]);

function responseSchema(schema: z.ZodType): object {
  const name = COMPONENTS.get(schema);
  if (name) return { $ref: `#/components/schemas/${name}` };
  if (schema instanceof z.ZodArray && COMPONENTS.has(schema.element as z.ZodType))
    return { type: "array", items: responseSchema(schema.element as z.ZodType) };
  return jsonSchema(schema, "output");
}

const errorResponse = {
  description: "Refused: see code",
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
};
const ERRORS = {
  "400": errorResponse,
  "401": errorResponse,
  "403": errorResponse,
  "404": errorResponse,
  "409": errorResponse,
  "413": errorResponse,
  "422": errorResponse,
};

function parameters(where: "path" | "query", schema: z.ZodObject | undefined): object[] {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: where,
    required: where === "path" || !(field as z.ZodType).safeParse(undefined).success,
    schema: jsonSchema(field as z.ZodType, "input"),
  }));
}

const openApiPath = (path: string) => path.replace(/:(\w+)/g, "{$1}");

export function openApiDocument(version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  const add = (path: string, method: string, op: object) => ((paths[openApiPath(path)] ??= {})[method.toLowerCase()] = op);
  for (const r of ROUTES) {
    add(r.path, r.http, {
      operationId: r.method,
      summary: r.summary,
      description: `Needs role ${r.role} (any role when the server has no tokens).`,
      parameters: [...parameters("path", r.params), ...parameters("query", r.query)],
      ...(r.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(r.body, "input") } } } } : {}),
      responses: {
        [String(r.status)]:
          r.status === 204
            ? { description: "Done" }
            : { description: "OK", content: { "application/json": { schema: responseSchema(r.response) } } },
        ...ERRORS,
      },
    });
  }
  add("/api/v1/events/stream", "GET", {
    operationId: "eventStream",
    summary: "Server-Sent Events: id = seq, data = the event as JSON; resumes after Last-Event-ID (or sinceSeq)",
    parameters: [
      { name: "Last-Event-ID", in: "header", required: false, schema: { type: "string" } },
      ...parameters("query", z.object({ sinceSeq: z.int().min(0).optional() })),
    ],
    responses: {
      "200": { description: "An endless event stream", content: { "text/event-stream": { schema: { type: "string" } } } },
      "401": errorResponse,
      "403": errorResponse,
    },
  });
  add("/api/v1/whoami", "GET", {
    operationId: "whoami",
    summary: "The caller's role",
    responses: {
      "200": { description: "OK", content: { "application/json": { schema: responseSchema(WhoamiSchema) } } },
      "401": errorResponse,
    },
  });
  add("/healthz", "GET", {
    operationId: "healthz",
    summary: "Liveness (no token needed); on a shared PostgreSQL datacenter, whether this server leads",
    responses: {
      "200": {
        description: "Serving",
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["status"],
              properties: {
                status: { const: "ok" },
                leader: { type: "boolean", description: "holds the controller lease: drives the clock" },
                holder: { type: "string", description: "this server's name in the lease" },
                leaseEpoch: { type: "integer", description: "the lease's epoch as last seen" },
                leaseHolder: { type: "string", description: "who holds the lease as last seen" },
                fencedWrites: { type: "integer", description: "clock writes and renewals refused because their epoch was over" },
              },
            },
          },
        },
      },
    },
  });
  add("/metrics", "GET", {
    operationId: "metrics",
    summary: "Prometheus metrics",
    responses: {
      "200": { description: "Prometheus text format", content: { "text/plain": { schema: { type: "string" } } } },
      "401": errorResponse,
      "403": errorResponse,
    },
  });
  add("/openapi.json", "GET", {
    operationId: "openapi",
    summary: "This document (no token needed)",
    responses: { "200": { description: "OpenAPI 3.1" } },
  });

  const schemas: Record<string, object> = {};
  for (const [schema, name] of COMPONENTS) schemas[name] = jsonSchema(schema, "output");
  for (const [kind, schema] of Object.entries(SPEC_SCHEMAS)) schemas[`${kind}Spec`] = jsonSchema(schema as z.ZodType, "input");
  return {
    openapi: "3.1.0",
    info: {
      title: "Polyvisor",
      version,
      description: "The Polyvisor runtime over HTTP. A PUT or POST body's spec is the kind's spec: components/schemas/<Kind>Spec.",
    },
    components: { schemas, securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    security: [{ bearer: [] }],
    paths,
  };
}
