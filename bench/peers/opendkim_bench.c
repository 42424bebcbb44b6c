/* libopendkim sign / verify loops for bench/run, printing the same JSON shape as SenderAuth.Bench
 * ({"evals_per_s": {"sign": N}}), single thread.
 *   opendkim_bench sign   --key PEM --selector S --domain D --alg rsa|ed25519 --message FILE --seconds S [--out FILE]
 *   opendkim_bench verify --keys QUERYFILE --message SIGNED --seconds S
 * The message is read and split into header fields once, outside the timed loop, as an MTA hands a milter
 * pre-split fields. The key file is read once; libopendkim's API takes key text per handle, so its own PEM
 * parsing per message is part of its cost (that is how the opendkim milter uses it). Verification fetches
 * the key through DKIM_QUERY_FILE (no DNS) and must pass, or the program exits: no timing a broken loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <opendkim/dkim.h>

typedef struct { unsigned char *p; size_t n; } span;

static unsigned char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(2); }
  fseek(f, 0, SEEK_END); long n = ftell(f); fseek(f, 0, SEEK_SET);
  unsigned char *buf = malloc((size_t)n + 1);
  if (fread(buf, 1, (size_t)n, f) != (size_t)n) { perror(path); exit(2); }
  buf[n] = 0; fclose(f); *len = (size_t)n;
  return buf;
}

/* Splits at the empty line; each field keeps its folding CRLFs but not its final one (dkim_header wants that). */
static size_t split(unsigned char *msg, size_t len, span *fields, size_t max, span *body) {
  size_t nf = 0, pos = 0;
  while (pos < len) {
    if (msg[pos] == '\r' && pos + 1 < len && msg[pos + 1] == '\n') { pos += 2; break; }
    size_t start = pos;
    for (;;) {
      unsigned char *lf = memchr(msg + pos, '\n', len - pos);
      pos = lf ? (size_t)(lf - msg) + 1 : len;
      if (pos >= len || (msg[pos] != ' ' && msg[pos] != '\t')) break;
    }
    if (nf == max) { fprintf(stderr, "too many header fields\n"); exit(2); }
    fields[nf].p = msg + start;
    fields[nf].n = pos - start - (pos >= 2 && msg[pos - 2] == '\r' ? 2 : 1);
    nf++;
  }
  body->p = msg + pos; body->n = len - pos;
  return nf;
}

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
/* CPU time of the process, for the CPU-time basis bench/run also reports (robust to other work on the machine). */
static double cpu(void) { struct timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static void check(DKIM_STAT st, const char *what) {
  if (st != DKIM_STAT_OK) { fprintf(stderr, "%s: %s\n", what, dkim_getresultstr(st)); exit(1); }
}

static void feed(DKIM *d, span *fields, size_t nf, span body) {
  for (size_t i = 0; i < nf; i++) check(dkim_header(d, fields[i].p, fields[i].n), "dkim_header");
  check(dkim_eoh(d), "dkim_eoh");
  check(dkim_body(d, body.p, body.n), "dkim_body");
}

static unsigned char sighdr[8192];

static void sign_once(DKIM_LIB *lib, const unsigned char *key, const char *sel, const char *dom, dkim_alg_t alg,
                      span *fields, size_t nf, span body) {
  DKIM_STAT st;
  DKIM *d = dkim_sign(lib, (const unsigned char *)"bench", NULL, (dkim_sigkey_t)key, (const unsigned char *)sel,
                      (const unsigned char *)dom, DKIM_CANON_RELAXED, DKIM_CANON_RELAXED, alg, -1, &st);
  if (!d) check(st, "dkim_sign");
  feed(d, fields, nf, body);
  check(dkim_eom(d, NULL), "dkim_eom");
  check(dkim_getsighdr(d, sighdr, sizeof sighdr, strlen(DKIM_SIGNHEADER) + 2), "dkim_getsighdr");
  dkim_free(d);
}

static void verify_once(DKIM_LIB *lib, span *fields, size_t nf, span body) {
  DKIM_STAT st;
  DKIM *d = dkim_verify(lib, (const unsigned char *)"bench", NULL, &st);
  if (!d) check(st, "dkim_verify");
  feed(d, fields, nf, body);
  check(dkim_eom(d, NULL), "dkim_eom (verify)");
  DKIM_SIGINFO *sig = dkim_getsignature(d);
  if (!sig || !DKIM_SIG_CHECK(sig)) { fprintf(stderr, "verification did not pass\n"); exit(1); }
  dkim_free(d);
}

static const char *arg(int argc, char **argv, const char *name, const char *def) {
  for (int i = 2; i + 1 < argc; i += 2) if (strcmp(argv[i], name) == 0) return argv[i + 1];
  if (!def) { fprintf(stderr, "missing %s\n", name); exit(2); }
  return def;
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: see the comment at the top of opendkim_bench.c\n"); return 2; }
  int sign = strcmp(argv[1], "sign") == 0;
  double seconds = atof(arg(argc, argv, "--seconds", "5"));
  size_t len;
  unsigned char *msg = slurp(arg(argc, argv, "--message", NULL), &len);
  static span fields[1000];
  span body;
  size_t nf = split(msg, len, fields, 1000, &body);

  DKIM_LIB *lib = dkim_init(NULL, NULL);
  unsigned char *key = NULL;
  const char *sel = NULL, *dom = NULL;
  dkim_alg_t alg = DKIM_SIGN_RSASHA256;
  if (sign) {
    size_t keylen;
    key = slurp(arg(argc, argv, "--key", NULL), &keylen);
    sel = arg(argc, argv, "--selector", NULL);
    dom = arg(argc, argv, "--domain", NULL);
    if (strcmp(arg(argc, argv, "--alg", "rsa"), "ed25519") == 0) alg = DKIM_SIGN_ED25519SHA256;
    /* The same headers SenderAuth signs by default, so both hash the same fields. */
    static const char *hdrs[] = { "from", "to", "cc", "subject", "date", "message-id", "reply-to", "mime-version",
      "content-type", "content-transfer-encoding", "list-unsubscribe", "list-unsubscribe-post", "feedback-id", NULL };
    check(dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNHDRS, hdrs, sizeof(char **)), "DKIM_OPTS_SIGNHDRS");
  } else {
    dkim_query_t q = DKIM_QUERY_FILE;
    const char *keys = arg(argc, argv, "--keys", NULL);
    check(dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYMETHOD, &q, sizeof q), "DKIM_OPTS_QUERYMETHOD");
    check(dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYINFO, (void *)keys, strlen(keys)), "DKIM_OPTS_QUERYINFO");
  }

  /* One checked run first (and the signed message written out for cross-checking), then a warm-up. */
  if (sign) {
    sign_once(lib, key, sel, dom, alg, fields, nf, body);
    const char *out = arg(argc, argv, "--out", "");
    if (*out) {
      FILE *f = fopen(out, "wb");
      if (!f) { perror(out); return 2; }
      fprintf(f, "%s: %s\r\n", DKIM_SIGNHEADER, sighdr);
      fwrite(msg, 1, len, f);
      fclose(f);
    }
  } else {
    verify_once(lib, fields, nf, body);
  }
  double phases[2] = { seconds / 5 < 1 ? seconds / 5 : 1, seconds }, rate = 0, cpu_rate = 0;
  for (int phase = 0; phase < 2; phase++) {
    long n = 0;
    double t0 = now(), c0 = cpu(), t;
    do {
      for (int i = 0; i < 16; i++) {
        if (sign) sign_once(lib, key, sel, dom, alg, fields, nf, body); else verify_once(lib, fields, nf, body);
      }
      n += 16;
    } while ((t = now() - t0) < phases[phase]);
    rate = n / t;
    cpu_rate = n / (cpu() - c0);
  }
  uint32_t v = dkim_libversion();
  printf("{\"what\": \"libopendkim %s\", \"library\": \"%u.%u.%u\", \"seconds_per_case\": %g, \"evals_per_s\": {\"%s\": %.1f},"
         " \"cpu_evals_per_s\": {\"%s\": %.1f}}\n",
         argv[1], v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, seconds, argv[1], rate, argv[1], cpu_rate);
  dkim_close(lib);
  return 0;
}
