/**
 * `npm run state:setup -- --endpoint URL [--bucket pra-state] [--region us-east-1] [--migrate] [--stack dev]`:
 * puts the stack's Pulumi state where it survives the primary, in the cloud's S3-compatible object
 * storage. Creates the bucket (idempotent), prints the `pulumi login` line, and with --migrate copies
 * an existing stack's state there (`pulumi stack export --show-secrets` / `stack import`), refusing
 * to overwrite a stack the bucket already holds. Exit 0 ok, 1 failed, 2 usage or precondition.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ExitCode, OpsError } from "./exitCodes";
import { type S3Endpoint, s3ErrorCode, s3Request } from "./s3";
import { checkBucketName, normalEndpoint, s3BackendUrl } from "./stateBackend";
import { stateLocation } from "./stateLocation";
import { migrateStack } from "./stateMigrate";

export const stateSetupUsage = `Usage: npm run state:setup -- --endpoint URL [--bucket pra-state] [--region us-east-1]
                           [--migrate] [--from BACKEND_URL] [--stack dev] [--work-dir DIR]
  Creates the bucket for the Pulumi state in your cloud's S3-compatible object storage (OpenStack Swift:
  endpoint from \`openstack catalog show object-store\`, credentials from \`openstack ec2 credentials create\`
  in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) and prints the \`pulumi login\` line.
  --migrate also copies the stack's existing state (default: from the current local backend) into it.`;

export interface StateSetupDeps {
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  /** The pulumi CLI to migrate with; default `pulumi` on the PATH. */
  pulumi?: string;
}

interface SetupArgs {
  endpoint: string;
  bucket: string;
  region: string;
  migrate: boolean;
  from?: string;
  stack: string;
  workDir: string;
}

function parse(argv: string[], env: NodeJS.ProcessEnv): SetupArgs | "help" {
  let v: ReturnType<typeof parseFlags>;
  try {
    v = parseFlags(argv);
  } catch (e) {
    throw new OpsError(ExitCode.Usage, `${(e as Error).message}\n${stateSetupUsage}`);
  }
  if (v.help) return "help";
  const given = v.endpoint ?? env.PRA_STATE_ENDPOINT;
  if (!given) {
    throw new OpsError(
      ExitCode.Usage,
      `--endpoint is missing: your cloud's S3 endpoint (OpenStack: the object-store's public URL host, ` +
        `\`openstack catalog show object-store\`), or PRA_STATE_ENDPOINT\n${stateSetupUsage}`,
    );
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(v.stack)) {
    throw new OpsError(ExitCode.Usage, `--stack ${JSON.stringify(v.stack)} is not a stack name`);
  }
  if (v.from && !v.migrate) throw new OpsError(ExitCode.Usage, "--from goes with --migrate");
  try {
    return {
      endpoint: normalEndpoint(given),
      bucket: checkBucketName(v.bucket),
      region: v.region,
      migrate: v.migrate,
      from: v.from,
      stack: v.stack,
      workDir: resolve(v["work-dir"]),
    };
  } catch (e) {
    throw new OpsError(ExitCode.Usage, (e as Error).message);
  }
}

function parseFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      endpoint: { type: "string" },
      bucket: { type: "string", default: "pra-state" },
      region: { type: "string", default: "us-east-1" },
      migrate: { type: "boolean", default: false },
      from: { type: "string" },
      stack: { type: "string", default: "dev" },
      "work-dir": { type: "string", default: "." },
      help: { type: "boolean", short: "h", default: false },
    },
  }).values;
}

function credentials(env: NodeJS.ProcessEnv): { accessKeyId: string; secretAccessKey: string } {
  const accessKeyId = env.AWS_ACCESS_KEY_ID ?? "";
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY ?? "";
  const missing = [!accessKeyId && "AWS_ACCESS_KEY_ID", !secretAccessKey && "AWS_SECRET_ACCESS_KEY"].filter(Boolean);
  if (missing.length > 0) {
    throw new OpsError(
      ExitCode.Usage,
      `${missing.join(" and ")} not set: create EC2-style credentials for the object storage ` +
        "(`openstack ec2 credentials create`: access and secret) and export them as AWS_ACCESS_KEY_ID and " +
        "AWS_SECRET_ACCESS_KEY; pulumi reads the same two variables to reach the bucket",
    );
  }
  return { accessKeyId, secretAccessKey };
}

/** Creates the bucket; one the same credentials already own is fine (the command is safe to repeat). */
async function ensureBucket(ep: S3Endpoint, bucket: string): Promise<"created" | "exists"> {
  let r: Awaited<ReturnType<typeof s3Request>>;
  try {
    r = await s3Request(ep, { method: "PUT", bucket });
  } catch (e) {
    throw new OpsError(
      ExitCode.Failed,
      `${(e as Error).message}. Check --endpoint (the object store's S3 endpoint, reachable from here)`,
    );
  }
  if (r.status === 200) return "created";
  const code = s3ErrorCode(r.body);
  if (r.status === 409 && code === "BucketAlreadyOwnedByYou") return "exists";
  if (r.status === 409) {
    throw new OpsError(
      ExitCode.Failed,
      `bucket ${bucket} belongs to someone else (${code ?? "409"}): choose another name with --bucket`,
    );
  }
  if (code === "InvalidAccessKeyId" || code === "SignatureDoesNotMatch" || r.status === 401 || r.status === 403) {
    throw new OpsError(
      ExitCode.Failed,
      `the object store refused the credentials (${code ?? r.status}): check AWS_ACCESS_KEY_ID / ` +
        "AWS_SECRET_ACCESS_KEY (`openstack ec2 credentials list`) and --region",
    );
  }
  throw new OpsError(
    ExitCode.Failed,
    `creating bucket ${bucket} failed: HTTP ${r.status} ${code ?? r.body.slice(0, 200)}`,
  );
}

/** A `backend:` in Pulumi.yaml wins over PULUMI_BACKEND_URL (pulumi/pulumi#7155): the login line would not count. */
function refuseProjectBackend(workDir: string): void {
  const file = resolve(workDir, "Pulumi.yaml");
  if (!existsSync(file)) {
    throw new OpsError(ExitCode.Usage, `${workDir} holds no Pulumi.yaml: pass --work-dir <project directory>`);
  }
  if (/^backend:/m.test(readFileSync(file, "utf8"))) {
    throw new OpsError(
      ExitCode.Usage,
      `${file} sets backend:, which overrides PULUMI_BACKEND_URL and pulumi login: remove that block first`,
    );
  }
}

export async function runStateSetup(argv: string[], deps: StateSetupDeps): Promise<number> {
  const say = (line: string) => deps.out(`pra state: ${line}\n`);
  try {
    const args = parse(argv, deps.env);
    if (args === "help") {
      deps.out(`${stateSetupUsage}\n`);
      return ExitCode.Ok;
    }
    refuseProjectBackend(args.workDir);
    const ep: S3Endpoint = { endpoint: args.endpoint, region: args.region, ...credentials(deps.env) };
    const bucketState = await ensureBucket(ep, args.bucket);
    say(`bucket ${args.bucket} at ${args.endpoint}: ${bucketState === "created" ? "created" : "already there, yours"}`);
    const url = s3BackendUrl(args.bucket, args.endpoint, args.region);
    if (args.migrate) {
      const from = args.from ?? stateLocation(deps.env).url;
      if (from === url) throw new OpsError(ExitCode.Usage, `the state is already in ${url}: nothing to migrate`);
      const moved = await migrateStack({
        stack: args.stack,
        workDir: args.workDir,
        from,
        to: url,
        env: deps.env,
        pulumi: deps.pulumi ?? "pulumi",
        log: say,
      });
      say(
        `migrated stack ${args.stack} (${moved.resources} resources) from ${from}. The old state is left as it ` +
          "was: run `pulumi preview` against the new backend (no changes expected), then delete the old one " +
          "so nothing ever updates both",
      );
    }
    deps.out(
      [
        "",
        "Use the bucket from every machine that runs PRA (primary, CI, your laptop on the day), with the same",
        "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the stack's passphrase:",
        "",
        `  pulumi login '${url}'`,
        "",
        "or, for scripts/up, the nightly job and the workflows (repository secret PULUMI_BACKEND_URL):",
        "",
        `  export PULUMI_BACKEND_URL='${url}'`,
        "",
      ].join("\n"),
    );
    return ExitCode.Ok;
  } catch (e) {
    if (e instanceof OpsError) {
      say(e.message);
      return e.code;
    }
    say(`failed: ${(e as Error).message}`);
    return ExitCode.Failed;
  }
}

if (require.main === module) {
  runStateSetup(process.argv.slice(2), {
    env: process.env,
    out: (t) => process.stdout.write(t),
    pulumi: process.env.PRA_PULUMI_ROOT ? `${process.env.PRA_PULUMI_ROOT}/bin/pulumi` : undefined,
  }).then((code) => process.exit(code));
}
