// Route schemas compiled on first use instead of before the server listens. fastify compiles every route's validators
// (Ajv) and reply serializers (fast-json-stringify) before `listen` resolves: about 300 ms of CPU for this API, a
// third of a restart, though the first requests after a restart touch a few routes. Each compiler here returns a
// stand-in that compiles its schema on its first call; once listening, `warm` compiles the rest one per turn of the
// event loop, so requests interleave with the compiling and the first requests of most routes find theirs compiled.
import { SerializerSelector, type SerializerFactory } from "@fastify/fast-json-stringify-compiler";
import { Ajv, type Options as AjvOptions, type ValidateFunction } from "ajv";

/** A value made on first use (or by `warm`, whichever comes first). */
export type Later<T> = () => T;

/** What fastify's validator compiler is given. */
interface ValidatorRoute {
  schema: object;
  httpPart?: string;
}

export class LazyCompiler {
  private readonly pending = new Set<() => unknown>();
  private warming = false;

  /** `make()` on the first call of the returned getter, and never again. */
  later<T>(make: () => T): Later<T> {
    let made: { value: T } | undefined;
    const get = (): T => {
      if (made === undefined) {
        made = { value: make() };
        this.pending.delete(get);
      }
      return made.value;
    };
    this.pending.add(get);
    return get;
  }

  /**
   * Ajv validators for fastify (`setValidatorCompiler`): bodies strictly (no coercion, extra fields refused), query and
   * path strings coerced. Each Ajv instance is itself made on first use.
   */
  validatorCompiler(): (route: ValidatorRoute) => ValidateFunction {
    // validateSchema false: the schemas are TypeBox's, checked when written; checking each against the JSON Schema
    // meta-schema compiles that meta-schema per Ajv instance.
    const options: AjvOptions = { removeAdditional: false, useDefaults: false, allErrors: false, strict: false, validateSchema: false };
    const strict = this.later(() => new Ajv({ ...options, coerceTypes: false }));
    const coercing = this.later(() => new Ajv({ ...options, coerceTypes: true }));
    return ({ schema, httpPart }) => this.validator(() => (httpPart === "body" ? strict() : coercing()).compile(schema));
  }

  /** A validator compiled on its first call; its `errors` are those of that call, as fastify reads them. */
  validator<T = unknown>(compile: () => ValidateFunction<T>): ValidateFunction<T> {
    const compiled = this.later(compile);
    const validate = ((data: unknown, context?: Parameters<ValidateFunction>[1]) => {
      const f = compiled();
      const valid = f(data, context);
      validate.errors = f.errors;
      return valid;
    }) as ValidateFunction<T>;
    // fastify passes the parent object (so Ajv may coerce a root value) when the function has a schemaEnv.
    Object.defineProperty(validate, "schemaEnv", { get: () => compiled().schemaEnv });
    return validate;
  }

  /** fastify's own reply serializers (fast-json-stringify), each compiled on its first reply (`schemaController`). */
  serializerFactory(): SerializerFactory {
    const selector = SerializerSelector();
    return (externalSchemas, options) => {
      const compile = selector(externalSchemas, options);
      return (route) => {
        const compiled = this.later(() => compile(route));
        return (data) => compiled()(data);
      };
    };
  }

  /**
   * Compiles what is still pending, one per turn of the event loop (after that turn's I/O), until `stop`. A schema
   * that does not compile stays a stand-in: its route answers 500 and logs the compiler's error.
   */
  warm(): void {
    if (this.warming) return;
    this.warming = true;
    const next = () => {
      const [get] = this.pending;
      if (!this.warming || get === undefined) {
        this.warming = false;
        return;
      }
      try {
        get();
      } catch {
        this.pending.delete(get);
      }
      setImmediate(next);
    };
    setImmediate(next);
  }

  /** Ends `warm` (at the server's close): what is left compiles on first use. */
  stop(): void {
    this.warming = false;
  }

  /** Stand-ins not compiled yet. */
  get size(): number {
    return this.pending.size;
  }
}
