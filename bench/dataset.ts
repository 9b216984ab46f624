import { createHash } from "node:crypto";
import { Host } from "../test/lab/host";
import type { PrimaryHost } from "../test/lab/lab";
import { refreshSupercache } from "../test/lab/wordpress";

/** Everything generated derives from this seed: two runs of the benchmark copy the same blog. */
export const SEED = 20261125;
export const TARGET = { publishedPosts: 2000, approvedComments: 2001, attachments: 100 } as const;

const WEB_ROOT = "/var/www/blog";
const UPLOADS = `${WEB_ROOT}/wp-content/uploads`;
/** Generated rows get fixed ids from here up, above what the lab's install creates. */
const FIRST_ID = 1000;
const DAY = 86_400_000;
const EPOCH = Date.UTC(2019, 0, 1, 8, 0, 0);

export interface DatasetSummary {
  seed: number;
  publishedPosts: number;
  approvedComments: number;
  uploads: number;
  uploadBytes: number;
  seconds: number;
}

/** An upload to write: its path under wp-content/uploads, size, and the key of its bytes. */
export interface UploadFile {
  path: string;
  size: number;
  key: string;
}

/** mulberry32: small, seedable, and the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  "sauvegarde serveur volume instantané réseau nuit copie reprise sinistre basculement disque base table " +
  "fichier image billet commentaire lecteur jardin montagne rivière voyage cuisine pain café livre musique " +
  "photo ville village printemps automne hiver été lumière chemin forêt océan nuage vent pluie soleil"
).split(" ");

function words(rand: () => number, n: number): string {
  return Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(" ");
}

function between(rand: () => number, low: number, high: number): number {
  return low + Math.floor(rand() * (high - low + 1));
}

function sqlString(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function sqlDate(ms: number): string {
  return `'${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}'`;
}

/** PHP's serialize() for the shapes WordPress stores in _wp_attachment_metadata. */
function phpSerialize(v: unknown): string {
  if (typeof v === "number") return `i:${v};`;
  if (typeof v === "string") return `s:${Buffer.byteLength(v)}:"${v}";`;
  const entries = Object.entries(v as Record<string, unknown>);
  return `a:${entries.length}:{${entries.map(([k, x]) => phpSerialize(k) + phpSerialize(x)).join("")}}`;
}

/** Key of an upload's bytes: seeded, so the same file gets the same bytes in every run. */
export function uploadKey(path: string): string {
  return createHash("sha256").update(`${SEED}:${path}`).digest("hex").slice(0, 32);
}

/**
 * Writes uploads on the primary: AES-CTR keystream bytes (incompressible, like real photos) framed by
 * JPEG start and end markers, owned by www-data.
 */
export async function writeUploads(primary: PrimaryHost, files: UploadFile[]): Promise<void> {
  const manifest = files.map((f) => `${f.path} ${f.size} ${f.key}\n`).join("");
  await primary.exec(
    `set -euo pipefail
cd ${UPLOADS}
while read -r path size key; do
  mkdir -p "\${path%/*}"
  { printf '\\377\\330\\377\\340'
    head -c $((size - 6)) /dev/zero | openssl enc -aes-128-ctr -nosalt -K "$key" -iv 00000000000000000000000000000000
    printf '\\377\\331'; } >"$path"
done
chown -R www-data:www-data .`,
    { input: manifest, timeoutMs: 600_000 },
  );
}

interface Counts {
  posts: number;
  comments: number;
  maxPostId: number;
  maxCommentId: number;
}

async function counts(primary: PrimaryHost): Promise<Counts> {
  const out = await primary.sql(
    `SELECT (SELECT COUNT(*) FROM wp_posts WHERE post_type = 'post' AND post_status = 'publish'),
            (SELECT COUNT(*) FROM wp_comments WHERE comment_approved = '1'),
            (SELECT COALESCE(MAX(ID), 0) FROM wp_posts),
            (SELECT COALESCE(MAX(comment_ID), 0) FROM wp_comments)`,
    "wordpress",
  );
  const [posts, comments, maxPostId, maxCommentId] = out.trim().split("\t").map(Number);
  return { posts, comments, maxPostId, maxCommentId };
}

function insertRows(table: string, columns: string[], rows: string[][]): string {
  const out: string[] = [];
  for (let i = 0; i < rows.length; i += 200) {
    const chunk = rows.slice(i, i + 200).map((r) => `(${r.join(",")})`);
    out.push(`INSERT INTO ${table} (${columns.join(",")}) VALUES\n${chunk.join(",\n")};`);
  }
  return out.join("\n");
}

const POST_COLUMNS = [
  "ID",
  "post_author",
  "post_date",
  "post_date_gmt",
  "post_content",
  "post_title",
  "post_excerpt",
  "post_status",
  "comment_status",
  "ping_status",
  "post_name",
  "to_ping",
  "pinged",
  "post_modified",
  "post_modified_gmt",
  "post_content_filtered",
  "post_parent",
  "guid",
  "post_type",
  "post_mime_type",
];

function postRow(
  id: number,
  date: number,
  title: string,
  content: string,
  o: { name: string; status: string; parent: number; guid: string; type: string; mime: string },
): string[] {
  const d = sqlDate(date);
  return [
    String(id),
    "1",
    d,
    d,
    sqlString(content),
    sqlString(title),
    "''",
    sqlString(o.status),
    "'open'",
    "'open'",
    sqlString(o.name),
    "''",
    "''",
    d,
    d,
    "''",
    String(o.parent),
    sqlString(o.guid),
    sqlString(o.type),
    sqlString(o.mime),
  ];
}

/** The SQL and files of the generated blog, given what the lab's install already holds. */
function plan(existing: Counts): { sql: string; uploads: UploadFile[] } {
  const rand = prng(SEED);
  const nPosts = TARGET.publishedPosts - existing.posts;
  const nComments = TARGET.approvedComments - existing.comments;
  const posts: string[][] = [];
  const postDates: number[] = [];
  for (let i = 0; i < nPosts; i++) {
    const id = FIRST_ID + i;
    const date = EPOCH + i * DAY + between(rand, 0, 8 * 3600) * 1000;
    postDates.push(date);
    const paragraphs = Array.from(
      { length: between(rand, 3, 8) },
      () => `<p>${words(rand, between(rand, 40, 90))}.</p>`,
    );
    posts.push(
      postRow(id, date, `Billet ${i + 1} : ${words(rand, 4)}`, paragraphs.join("\n\n"), {
        name: `billet-${i + 1}`,
        status: "publish",
        parent: 0,
        guid: `http://blog.example.test/?p=${id}`,
        type: "post",
        mime: "",
      }),
    );
  }
  const attachments: string[][] = [];
  const meta: string[][] = [];
  const uploads: UploadFile[] = [];
  const sizes = [
    { name: "large", w: 1024, h: 683, min: 80_000, max: 140_000 },
    { name: "medium", w: 300, h: 200, min: 12_000, max: 24_000 },
    { name: "thumbnail", w: 150, h: 150, min: 4_000, max: 8_000 },
  ];
  for (let i = 0; i < TARGET.attachments; i++) {
    const id = FIRST_ID + nPosts + i;
    const parent = Math.floor((i * nPosts) / TARGET.attachments);
    const date = postDates[parent];
    const dir = new Date(date).toISOString().slice(0, 7).replace("-", "/");
    const base = `bench-photo-${String(i + 1).padStart(3, "0")}`;
    const file = `${dir}/${base}.jpg`;
    const size = between(rand, 150_000, 350_000);
    uploads.push({ path: file, size, key: uploadKey(file) });
    const variants: Record<string, unknown> = {};
    for (const s of sizes) {
      const name = `${base}-${s.w}x${s.h}.jpg`;
      const bytes = between(rand, s.min, s.max);
      uploads.push({ path: `${dir}/${name}`, size: bytes, key: uploadKey(`${dir}/${name}`) });
      variants[s.name] = { file: name, width: s.w, height: s.h, "mime-type": "image/jpeg", filesize: bytes };
    }
    attachments.push(
      postRow(id, date, base, "", {
        name: base,
        status: "inherit",
        parent: FIRST_ID + parent,
        guid: `http://blog.example.test/wp-content/uploads/${file}`,
        type: "attachment",
        mime: "image/jpeg",
      }),
    );
    const metadata = { width: 2048, height: 1365, file, filesize: size, sizes: variants };
    meta.push([String(id), "'_wp_attached_file'", sqlString(file)]);
    meta.push([String(id), "'_wp_attachment_metadata'", sqlString(phpSerialize(metadata))]);
    meta.push([String(FIRST_ID + parent), "'_thumbnail_id'", String(id)]);
  }
  const comments: string[][] = [];
  for (let i = 0; i < nComments; i++) {
    const post = between(rand, 0, nPosts - 1);
    const date = sqlDate(postDates[post] + between(rand, 1, 30 * 24) * 3600_000);
    comments.push([
      String(FIRST_ID + i),
      String(FIRST_ID + post),
      sqlString(`Lecteur ${between(rand, 1, 300)}`),
      sqlString(`lecteur${between(rand, 1, 300)}@example.test`),
      "''",
      sqlString(`192.0.2.${between(rand, 1, 254)}`),
      date,
      date,
      sqlString(`${words(rand, between(rand, 8, 40))}.`),
      "0",
      "'1'",
      "'Mozilla/5.0 (X11; Linux x86_64)'",
      "'comment'",
      "0",
      "0",
    ]);
  }
  const lastId = FIRST_ID + nPosts - 1;
  const sql = [
    insertRows("wp_posts", POST_COLUMNS, [...posts, ...attachments]),
    insertRows("wp_postmeta", ["post_id", "meta_key", "meta_value"], meta),
    insertRows(
      "wp_comments",
      [
        "comment_ID",
        "comment_post_ID",
        "comment_author",
        "comment_author_email",
        "comment_author_url",
        "comment_author_IP",
        "comment_date",
        "comment_date_gmt",
        "comment_content",
        "comment_karma",
        "comment_approved",
        "comment_agent",
        "comment_type",
        "comment_parent",
        "user_id",
      ],
      comments,
    ),
    insertRows(
      "wp_term_relationships",
      ["object_id", "term_taxonomy_id", "term_order"],
      posts.map((p) => [p[0], "1", "0"]),
    ),
    // What WordPress keeps in step itself when it adds posts and comments one by one.
    `UPDATE wp_posts p SET comment_count = (SELECT COUNT(*) FROM wp_comments c
       WHERE c.comment_post_ID = p.ID AND c.comment_approved = '1') WHERE p.ID BETWEEN ${FIRST_ID} AND ${lastId};`,
    `UPDATE wp_term_taxonomy SET count = (SELECT COUNT(*) FROM wp_term_relationships r JOIN wp_posts p ON p.ID = r.object_id
       WHERE r.term_taxonomy_id = 1 AND p.post_type = 'post' AND p.post_status = 'publish') WHERE term_taxonomy_id = 1;`,
  ].join("\n");
  return { sql, uploads };
}

/**
 * Grows the lab's blog to TARGET: posts, comments and attachment rows by bulk SQL (WordPress's own
 * columns, counters kept in step), the uploads as files, then the page cache refreshed. Checks that
 * WordPress serves a generated post.
 */
export async function generateDataset(primary: PrimaryHost): Promise<DatasetSummary> {
  const started = Date.now();
  const existing = await counts(primary);
  if (existing.maxPostId >= FIRST_ID || existing.maxCommentId >= FIRST_ID) {
    throw new Error(`bench dataset: the lab's blog already has ids from ${FIRST_ID} on: not a fresh lab`);
  }
  const { sql, uploads } = plan(existing);
  await primary.sql(sql, "wordpress");
  await writeUploads(primary, uploads);
  // What WP Super Cache would do after a publish; the lab's primary is a Host, which the helper takes.
  if (!(primary instanceof Host)) throw new Error("bench dataset: the primary is not a lab Host");
  await refreshSupercache(primary);
  const lastId = FIRST_ID + TARGET.publishedPosts - existing.posts - 1;
  const title = (await primary.sql(`SELECT post_title FROM wp_posts WHERE ID = ${lastId}`, "wordpress")).trim();
  const page = await primary.exec(`curl -fsSL --max-time 30 'http://blog.example.test/?p=${lastId}'`);
  if (!page.stdout.includes(title)) throw new Error(`bench dataset: WordPress does not serve post ${lastId}`);
  const now = await counts(primary);
  return {
    seed: SEED,
    publishedPosts: now.posts,
    approvedComments: now.comments,
    uploads: uploads.length,
    uploadBytes: uploads.reduce((n, u) => n + u.size, 0),
    seconds: (Date.now() - started) / 1000,
  };
}
