/* Unit tests of shards and parts (include/forecast/shard.h): the hash
 * against FNV-1a's published test vectors, a part's round trip into a run
 * equal to the single-process one, parts damaged at every length and
 * byte refused without a crash, the leaderboard's seconds of a merge (the
 * sum over the parts of the back-tests' and prefits' seconds, a prefit the
 * selection did not use included), the check that a merge's parts are every
 * shard once; prediction parts; the walk over a fit part's prefits and
 * retrain parts (round trip, damage). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/cv.h"
#include "forecast/shard.h"

START_TEST(test_fnv_vectors)
{
	/* Fowler/Noll/Vo test vectors for 64-bit FNV-1a */
	ck_assert_uint_eq(fc_shard_hash(""), 0xcbf29ce484222325ULL);
	ck_assert_uint_eq(fc_shard_hash("a"), 0xaf63dc4c8601ec8cULL);
	ck_assert_uint_eq(fc_shard_hash("foobar"), 0x85944171f73967e8ULL);
	ck_assert_uint_eq(fc_shard_of("foobar", 1), 0);
	ck_assert_uint_eq(fc_shard_of("foobar", 7), 0x85944171f73967e8ULL % 7);
}
END_TEST

#define NS 6
#define N 48

typedef struct fixture {
	fc_panel p;
	fc_series s[NS];
	double y[NS][N];
	char key[NS][16];
	fc_model *m[3];
	fc_cv_opts o;
} fixture;

/* Six series of different shapes (one too short for a fold) and three
 * local kinds. */
static void fixture_init(fixture *f)
{
	memset(f, 0, sizeof *f);
	f->p.freq = (fc_freq){FC_UNIT_STEP, 1, 0};
	f->p.style = (fc_time_style){FC_STYLE_INT, 0};
	f->p.series = f->s;
	f->p.n_series = NS;
	for (size_t i = 0; i < NS; i++) {
		snprintf(f->key[i], sizeof f->key[i], "id=%zu", i);
		f->s[i].key = f->key[i];
		f->s[i].start = 1;
		f->s[i].n = i == 5 ? 6 : N;
		f->s[i].y = f->y[i];
		for (size_t t = 0; t < N; t++)
			f->y[i][t] = 10 + (double)i * t * 0.3 + 3 * sin((double)(t * (i + 1))) + (double)(t % 4);
	}
	static const char *const kinds[] = {"naive", "ets", "theta"};
	for (size_t k = 0; k < 3; k++)
		f->m[k] = fc_model_alloc(fc_model_lookup(kinds[k]), NULL);
	f->o = (fc_cv_opts){.horizon = 4, .folds = 3, .n_levels = 1, .levels = {90},
	                    .metric = FC_METRIC_MAE, .n_candidates = 3, .candidates = f->m,
	                    .forecast = 1, .ensemble = FC_ENSEMBLE_CARUANA,
	                    .ensemble_by = FC_ENSEMBLE_BY_BLEND};
}

static void fixture_dispose(fixture *f)
{
	for (size_t k = 0; k < 3; k++)
		fc_model_free(f->m[k]);
}

/* The part of shard k of n: back-test and prefits of its series. */
static void make_part(fixture *f, size_t k, size_t n, fc_buf *b)
{
	unsigned char mask[NS];
	for (size_t i = 0; i < NS; i++)
		mask[i] = fc_shard_of(f->key[i], n) == k;
	fc_cv_opts o = f->o;
	o.series_mask = mask;
	fc_run *run = NULL;
	fc_err err;
	ck_assert_int_eq(fc_cv_begin(&f->p, &o, 3, &run, &err), 0);
	ck_assert_int_eq(fc_cv_backtest(&f->p, &o, run, 0, 3, NULL, &err), 0);
	ck_assert_int_eq(fc_cv_prefit(&f->p, &o, run, &err), 0);
	char *argv[] = {"fit", "x.csv"};
	fc_part_info info = {.forecast = 1, .shard = k, .n_shards = n, .fingerprint = "0123456789abcdef",
	                     .options = 42, .argc = 2, .argv = argv};
	ck_assert_int_eq(fc_part_encode(b, &info, &f->p, &o, run, mask, &err), 0);
	fc_run_free(run);
}

START_TEST(test_round_trip)
{
	fixture f;
	fixture_init(&f);
	fc_err err;
	fc_run *one = NULL, *merged = NULL;
	ck_assert_int_eq(fc_cv_run(&f.p, &f.o, &one, &err), 0);
	fc_buf part[3];
	unsigned char seen[NS] = {0};
	ck_assert_int_eq(fc_cv_begin(&f.p, &f.o, 3, &merged, &err), 0);
	for (size_t k = 0; k < 3; k++) {
		fc_buf_init(&part[k]);
		make_part(&f, k, 3, &part[k]);
		fc_part_info info;
		ck_assert_int_eq(fc_part_read_info(part[k].data, part[k].len, &info, &err), 0);
		ck_assert_uint_eq(info.shard, k);
		ck_assert_uint_eq(info.n_shards, 3);
		ck_assert_uint_eq(info.argc, 2);
		ck_assert_str_eq(info.argv[1], "x.csv");
		ck_assert_str_eq(info.fingerprint, "0123456789abcdef");
		fc_part_info_dispose(&info);
		ck_assert_int_eq(fc_part_load(part[k].data, part[k].len, &f.p, &f.o, merged, seen, &err), 0);
	}
	for (size_t i = 0; i < NS; i++)
		ck_assert_int_eq(seen[i], 1);
	/* a part loaded twice names the series seen already */
	unsigned char again[NS];
	memcpy(again, seen, sizeof again);
	ck_assert_int_eq(fc_part_load(part[0].data, part[0].len, &f.p, &f.o, merged, again, &err),
	                 FC_EFORMAT);
	ck_assert_int_eq(fc_cv_finish(&f.p, &f.o, merged, &err), 0);
	for (size_t i = 0; i < NS; i++) {
		const fc_series_result *a = &one->res[i], *b = &merged->res[i];
		ck_assert_int_eq(a->best, b->best);
		ck_assert_uint_eq(a->n_members, b->n_members);
		ck_assert_uint_eq(a->fc.h, b->fc.h);
		for (size_t t = 0; t < a->fc.h; t++) {
			ck_assert(memcmp(&a->fc.mean[t], &b->fc.mean[t], sizeof(double)) == 0);
			ck_assert(memcmp(&a->fc.lo[t], &b->fc.lo[t], sizeof(double)) == 0);
			ck_assert(memcmp(&a->fc.hi[t], &b->fc.hi[t], sizeof(double)) == 0);
		}
	}
	ck_assert_uint_gt(one->res[5].n_members, 0); /* the short series was forecast */
	fc_run_free(one);
	fc_run_free(merged);
	for (size_t k = 0; k < 3; k++)
		fc_buf_dispose(&part[k]);
	fixture_dispose(&f);
}
END_TEST

/* The seconds a merged leaderboard shows: each candidate's, summed over
 * the parts' series, of its back-test and of its prefit whether the
 * selection used it or not.  The shards' measured seconds are replaced by
 * set values before encoding, so that the sum is known exactly. */
START_TEST(test_merged_seconds)
{
	fixture f;
	fixture_init(&f);
	fc_err err;
	fc_run *merged = NULL;
	double expect[3] = {0, 0, 0};
	size_t prefits = 0;
	unsigned char seen[NS] = {0};
	ck_assert_int_eq(fc_cv_begin(&f.p, &f.o, 3, &merged, &err), 0);
	for (size_t k = 0; k < 2; k++) {
		unsigned char mask[NS];
		for (size_t i = 0; i < NS; i++)
			mask[i] = fc_shard_of(f.key[i], 2) == k;
		fc_cv_opts o = f.o;
		o.series_mask = mask;
		fc_run *run = NULL;
		ck_assert_int_eq(fc_cv_begin(&f.p, &o, 3, &run, &err), 0);
		ck_assert_int_eq(fc_cv_backtest(&f.p, &o, run, 0, 3, NULL, &err), 0);
		ck_assert_int_eq(fc_cv_prefit(&f.p, &o, run, &err), 0);
		for (size_t i = 0; i < NS; i++) {
			fc_series_result *r = &run->res[i];
			for (size_t c = 0; mask[i] && c < 3; c++) {
				r->seconds[c] = 0.5 * (double)(i + 1) + (double)c; /* exact in binary */
				expect[c] += r->seconds[c];
				if (r->prefit && r->prefit[c].have) {
					r->prefit[c].seconds = 0.25 * (double)(c + 1);
					expect[c] += r->prefit[c].seconds;
					prefits++;
				}
			}
		}
		char *argv[] = {"fit", "x.csv"};
		fc_part_info info = {.forecast = 1, .shard = k, .n_shards = 2,
		                     .fingerprint = "0123456789abcdef", .options = 42, .argc = 2,
		                     .argv = argv};
		fc_buf b;
		fc_buf_init(&b);
		ck_assert_int_eq(fc_part_encode(&b, &info, &f.p, &o, run, mask, &err), 0);
		fc_run_free(run);
		ck_assert_int_eq(fc_part_load(b.data, b.len, &f.p, &f.o, merged, seen, &err), 0);
		fc_buf_dispose(&b);
	}
	ck_assert_uint_gt(prefits, NS); /* more prefits than series: some go unused */
	ck_assert_int_eq(fc_cv_finish(&f.p, &f.o, merged, &err), 0);
	size_t used = 0;
	for (size_t i = 0; i < NS; i++)
		used += merged->res[i].n_members;
	ck_assert_uint_lt(used, prefits);
	fc_leader_row rows[3];
	fc_leaderboard(merged, f.o.metric, rows);
	for (size_t k = 0; k < 3; k++) {
		size_t c = rows[k].candidate;
		ck_assert_double_eq_tol(rows[k].seconds, expect[c], 1e-9);
	}
	fc_run_free(merged);
	fixture_dispose(&f);
}
END_TEST

/* Every truncation and every single flipped byte of a part is refused
 * (the checksum, else the bounds checks); none crashes. */
START_TEST(test_damaged_parts)
{
	fixture f;
	fixture_init(&f);
	fc_buf part;
	fc_buf_init(&part);
	make_part(&f, 0, 2, &part);
	fc_err err;
	char *copy = malloc(part.len);
	for (size_t len = 0; len < part.len; len++) {
		memcpy(copy, part.data, len);
		fc_part_info info;
		ck_assert_int_ne(fc_part_read_info(copy, len, &info, &err), 0);
	}
	for (size_t at = 0; at < part.len; at += 7) {
		memcpy(copy, part.data, part.len);
		copy[at] ^= 0x5a;
		fc_run *run = NULL;
		unsigned char seen[NS] = {0};
		ck_assert_int_eq(fc_cv_begin(&f.p, &f.o, 3, &run, &err), 0);
		ck_assert_int_ne(fc_part_load(copy, part.len, &f.p, &f.o, run, seen, &err), 0);
		fc_run_free(run);
	}
	/* a header cut short behind a right checksum (found by fuzz/fuzz_part.c:
	 * the reader skipped the fixed fields without checking their room) */
	{
		unsigned char shortp[9 + 4 + 8];
		memcpy(shortp, "FCPART 1\n\0\0\0\0", 13);
		uint64_t h = 14695981039346656037ULL;
		for (size_t i = 0; i < 13; i++) {
			h ^= shortp[i];
			h *= 1099511628211ULL;
		}
		for (int k = 0; k < 8; k++)
			shortp[13 + k] = (unsigned char)(h >> (8 * k));
		fc_run *run = NULL;
		unsigned char seen[NS] = {0};
		fc_part_info info;
		ck_assert_int_eq(fc_part_read_info(shortp, sizeof shortp, &info, &err), FC_EFORMAT);
		ck_assert_int_eq(fc_cv_begin(&f.p, &f.o, 3, &run, &err), 0);
		ck_assert_int_eq(fc_part_load(shortp, sizeof shortp, &f.p, &f.o, run, seen, &err), FC_EFORMAT);
		fc_run_free(run);
	}
	/* a part for another horizon */
	fc_cv_opts other = f.o;
	other.horizon = 5;
	fc_run *run = NULL;
	unsigned char seen[NS] = {0};
	ck_assert_int_eq(fc_cv_begin(&f.p, &other, 3, &run, &err), 0);
	ck_assert_int_eq(fc_part_load(part.data, part.len, &f.p, &other, run, seen, &err), FC_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "another run"));
	fc_run_free(run);
	free(copy);
	fc_buf_dispose(&part);
	fixture_dispose(&f);
}
END_TEST

/* Prediction parts: a round trip keeps every field; a record whose key
 * hashes to another shard, a truncation and a flipped byte are
 * FC_EFORMAT, the first with the key in the message. */
START_TEST(test_pred_parts)
{
	char cand[2][32];
	/* a key of shard 1 of 2 and one of shard 0 */
	for (int k = 0, found = 0; found < 3 && k < 1000; k++) {
		char key[32];
		snprintf(key, sizeof key, "id=%d", k);
		size_t sh = fc_shard_of(key, 2);
		if (!(found & (1 << sh))) {
			snprintf(cand[sh], sizeof cand[sh], "%s", key);
			found |= 1 << sh;
		}
	}
	fc_pred_record rec[1] = {{.index = 1, .key = cand[1], .ok = 1, .rows = "a,1\n", .rows_len = 4}};
	fc_pred_part pp = {.shard = 1, .n_shards = 2, .model = "0123456789abcdef",
	                   .fingerprint = "fedcba9876543210", .horizon = 3, .n_levels = 2,
	                   .levels = {80, 95}, .n_series = 2, .header = "id,f\n", .header_len = 5,
	                   .n_records = 1, .records = rec};
	fc_buf b;
	fc_buf_init(&b);
	fc_err err;
	ck_assert_int_eq(fc_pred_part_encode(&b, &pp, &err), 0);
	ck_assert(fc_pred_part_is(b.data, b.len));
	fc_pred_part q;
	ck_assert_int_eq(fc_pred_part_decode(b.data, b.len, &q, &err), 0);
	ck_assert_uint_eq(q.shard, 1);
	ck_assert_uint_eq(q.n_shards, 2);
	ck_assert_str_eq(q.model, pp.model);
	ck_assert_str_eq(q.fingerprint, pp.fingerprint);
	ck_assert_uint_eq(q.horizon, 3);
	ck_assert_uint_eq(q.n_levels, 2);
	ck_assert(q.levels[1] == 95);
	ck_assert_uint_eq(q.n_series, 2);
	ck_assert_uint_eq(q.header_len, 5);
	ck_assert_int_eq(memcmp(q.header, "id,f\n", 5), 0);
	ck_assert_uint_eq(q.n_records, 1);
	ck_assert_uint_eq(q.records[0].index, 1);
	ck_assert_str_eq(q.records[0].key, cand[1]);
	ck_assert_int_eq(q.records[0].ok, 1);
	ck_assert_uint_eq(q.records[0].rows_len, 4);
	fc_pred_part_dispose(&q);
	/* truncated; a byte flipped (the checksum) */
	ck_assert_int_eq(fc_pred_part_decode(b.data, b.len - 9, &q, &err), FC_EFORMAT);
	b.data[b.len / 2] ^= 1;
	ck_assert_int_eq(fc_pred_part_decode(b.data, b.len, &q, &err), FC_EFORMAT);
	fc_buf_dispose(&b);
	/* a key of the other shard */
	rec[0].key = cand[0];
	fc_buf_init(&b);
	ck_assert_int_eq(fc_pred_part_encode(&b, &pp, &err), 0);
	ck_assert_int_eq(fc_pred_part_decode(b.data, b.len, &q, &err), FC_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, cand[0]));
	ck_assert_ptr_nonnull(strstr(err.msg, "does not hash to the part's shard"));
	fc_buf_dispose(&b);
}
END_TEST

/* The one "every shard exactly once" check of merge: a repeat names both
 * parts, the first repeat in the order given; else the lowest missing
 * shard is named with the count of parts; an order of parts other than
 * 0..N-1 is no error. */
START_TEST(test_check_cover)
{
	const char *path[] = {"p0", "p1", "p2", "p3"};
	fc_err err;
	size_t in_order[] = {0, 1, 2}, shuffled[] = {2, 0, 1};
	ck_assert_int_eq(fc_shard_check_cover(in_order, 3, 3, path, &err), 0);
	ck_assert_int_eq(fc_shard_check_cover(shuffled, 3, 3, path, &err), 0);
	size_t one[] = {0};
	ck_assert_int_eq(fc_shard_check_cover(one, 1, 1, path, &err), 0);

	size_t twice[] = {1, 0, 1, 2};
	ck_assert_int_eq(fc_shard_check_cover(twice, 4, 3, path, &err), FC_EFORMAT);
	ck_assert_str_eq(err.msg, "p0 and p2 are both shard 1 of 3");
	size_t two_repeats[] = {2, 2, 0, 0};
	ck_assert_int_eq(fc_shard_check_cover(two_repeats, 4, 3, path, &err), FC_EFORMAT);
	ck_assert_str_eq(err.msg, "p0 and p1 are both shard 2 of 3");

	size_t gap[] = {3, 0, 1};
	ck_assert_int_eq(fc_shard_check_cover(gap, 3, 4, path, &err), FC_EFORMAT);
	ck_assert_str_eq(err.msg, "shard 2 of 4 is missing (3 parts given)");
	ck_assert_int_eq(fc_shard_check_cover(one, 1, 2, path, &err), FC_EFORMAT);
	ck_assert_str_eq(err.msg, "shard 1 of 2 is missing (1 part given)");
	/* a repeat is reported before a gap */
	size_t both[] = {1, 1};
	ck_assert_int_eq(fc_shard_check_cover(both, 2, 3, path, &err), FC_EFORMAT);
	ck_assert_str_eq(err.msg, "p0 and p1 are both shard 1 of 3");

	size_t out_of_range[] = {0, 5};
	ck_assert_int_eq(fc_shard_check_cover(out_of_range, 2, 2, path, &err), FC_EFORMAT);
	ck_assert_str_eq(err.msg, "p1 is shard 5 of 2, out of range");
}
END_TEST

/* fc_part_prefits: what it yields of a fit part. */
typedef struct walk {
	size_t n, bad;
	fixture *f;
} walk;

static int on_prefit(void *ctx, size_t series, size_t candidate, const char *kind,
                     const char *saved)
{
	walk *w = ctx;
	w->n++;
	/* the candidate's kind, a series of the panel, and a fit that loads */
	w->bad += series >= NS || candidate >= 3 ||
	          strcmp(kind, w->f->m[candidate]->type->name) != 0 ||
	          strncmp(saved, "params", 6) != 0 || !strstr(saved, "\nstate");
	return 0;
}

/* The walk over a fit part's prefits finds every local candidate's refit
 * of every series the selection may use; a retrain part round-trips every
 * field and its fit part byte for byte; every truncation and flipped byte
 * of it, and a key of another shard, are FC_EFORMAT. */
START_TEST(test_retrain_parts)
{
	fixture f;
	fixture_init(&f);
	fc_buf fit;
	fc_buf_init(&fit);
	make_part(&f, 0, 1, &fit);
	fc_err err;
	/* as many prefits as fc_cv_prefit makes without error */
	fc_run *run = NULL;
	ck_assert_int_eq(fc_cv_begin(&f.p, &f.o, 3, &run, &err), 0);
	ck_assert_int_eq(fc_cv_backtest(&f.p, &f.o, run, 0, 3, NULL, &err), 0);
	ck_assert_int_eq(fc_cv_prefit(&f.p, &f.o, run, &err), 0);
	size_t want = 0;
	for (size_t i = 0; i < NS; i++)
		for (size_t c = 0; run->res[i].prefit && c < 3; c++)
			want += run->res[i].prefit[c].have && !run->res[i].prefit[c].status;
	fc_run_free(run);
	walk w = {.f = &f};
	ck_assert_int_eq(fc_part_prefits(fit.data, fit.len, on_prefit, &w, &err), 0);
	ck_assert_uint_gt(want, NS);
	ck_assert_uint_eq(w.n, want);
	ck_assert_uint_eq(w.bad, 0);
	/* the key follows the periods */
	double per[2] = {7, 365.25};
	ck_assert(fc_retrain_model_key("ets", "params\nstate\n", per, 1) !=
	          fc_retrain_model_key("ets", "params\nstate\n", per, 2));

	unsigned char ok_a[3] = {1, 0, 1}, ok_b[3] = {0, 0, 0};
	double mean[12];
	for (size_t t = 0; t < 12; t++)
		mean[t] = 0.5 + (double)t;
	fc_retrain_entry champ[1] = {{.key = 1, .ok = ok_a, .mean = mean}};
	fc_retrain_entry chal[2] = {{.key = 0xfeedULL, .ok = ok_b, .mean = mean},
	                            {.key = 0xbeefULL, .ok = ok_a, .mean = mean}};
	fc_retrain_record rec[2] = {
		{.index = 1, .key = "id=1", .n_champion = 1, .n_challenger = 2, .champion = champ,
		 .challenger = chal},
		{.index = 4, .key = "id=4", .n_challenger = 1, .challenger = chal + 1},
	};
	char *argv[] = {"retrain", "x.csv", "--name", "shop"};
	fc_retrain_part rp = {.shard = 0, .n_shards = 1, .name = "shop", .champion_version = 3,
	                      .champion = "0123456789abcdef", .fingerprint = "fedcba9876543210",
	                      .options = 99, .argc = 4, .argv = argv, .horizon = 4, .folds = 3,
	                      .n_series = NS, .fit_part = fit.data, .fit_part_len = fit.len,
	                      .n_records = 2, .records = rec};
	fc_buf b;
	fc_buf_init(&b);
	ck_assert_int_eq(fc_retrain_part_encode(&b, &rp, &err), 0);
	ck_assert(fc_retrain_part_is(b.data, b.len));
	ck_assert(!fc_retrain_part_is(fit.data, fit.len));
	fc_retrain_part q;
	ck_assert_int_eq(fc_retrain_part_decode(b.data, b.len, &q, &err), 0);
	ck_assert_str_eq(q.name, "shop");
	ck_assert_int_eq(q.champion_version, 3);
	ck_assert_str_eq(q.champion, rp.champion);
	ck_assert_str_eq(q.fingerprint, rp.fingerprint);
	ck_assert_uint_eq(q.options, 99);
	ck_assert_uint_eq(q.argc, 4);
	ck_assert_str_eq(q.argv[3], "shop");
	ck_assert_uint_eq(q.horizon, 4);
	ck_assert_uint_eq(q.folds, 3);
	ck_assert_uint_eq(q.n_series, NS);
	ck_assert_uint_eq(q.fit_part_len, fit.len);
	ck_assert_int_eq(memcmp(q.fit_part, fit.data, fit.len), 0);
	ck_assert_uint_eq(q.n_records, 2);
	ck_assert_uint_eq(q.records[1].index, 4);
	ck_assert_str_eq(q.records[1].key, "id=4");
	ck_assert_uint_eq(q.records[0].n_champion, 1);
	ck_assert_uint_eq(q.records[0].n_challenger, 2);
	ck_assert_uint_eq(q.records[1].n_champion, 0);
	ck_assert_ptr_null(q.records[0].challenger[0].mean); /* no fold forecast */
	const fc_retrain_entry *e = &q.records[0].challenger[1];
	ck_assert_uint_eq(e->key, 0xbeefULL);
	for (size_t j = 0; j < 3; j++) {
		ck_assert_int_eq(e->ok[j], ok_a[j]);
		for (size_t t = 0; ok_a[j] && t < 4; t++)
			ck_assert(memcmp(&e->mean[j * 4 + t], &mean[j * 4 + t], sizeof(double)) == 0);
	}
	fc_retrain_part_dispose(&q);
	/* every truncation, every flipped byte */
	for (size_t len = 0; len < b.len; len++)
		ck_assert_int_eq(fc_retrain_part_decode(b.data, len, &q, &err), FC_EFORMAT);
	for (size_t k = 0; k < b.len; k++) {
		b.data[k] ^= 0x10;
		ck_assert_int_eq(fc_retrain_part_decode(b.data, b.len, &q, &err), FC_EFORMAT);
		b.data[k] ^= 0x10;
	}
	fc_buf_dispose(&b);
	/* a record whose key hashes to another shard */
	rp.n_shards = 2;
	rp.shard = 1 - fc_shard_of("id=4", 2);
	rp.records = rec + 1;
	rp.n_records = 1;
	fc_buf_init(&b);
	ck_assert_int_eq(fc_retrain_part_encode(&b, &rp, &err), 0);
	ck_assert_int_eq(fc_retrain_part_decode(b.data, b.len, &q, &err), FC_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "id=4"));
	fc_buf_dispose(&b);
	fc_buf_dispose(&fit);
	fixture_dispose(&f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("shard");
	TCase *tc = tcase_create("shard");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_fnv_vectors);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_merged_seconds);
	tcase_add_test(tc, test_damaged_parts);
	tcase_add_test(tc, test_pred_parts);
	tcase_add_test(tc, test_check_cover);
	tcase_add_test(tc, test_retrain_parts);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
