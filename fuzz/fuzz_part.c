/* libFuzzer target: the shard-part reader (fc_part_read_info, fc_part_load)
 * and the merge's use of what it loaded (fc_cv_finish: the selection, and
 * the models loaded from the parts' saved fits); and the prediction-part
 * reader (fc_pred_part_decode, mode bit 4: a valid prediction part is the
 * one overlaid); the retrain-part reader (fc_retrain_part_decode, mode bit
 * 8: a valid retrain part, holding the valid fit part, is overlaid) and
 * the walk over a fit part's prefits (fc_part_prefits, on the input and on
 * a decoded retrain part's fit part).  A random input is almost
 * never a part, so besides raw bytes (first byte even) the target mutates a
 * valid part of a fixed small run: the rest of the input is laid over it
 * at an offset it chooses, optionally after a truncation, and the checksum
 * is recomputed, so that the fuzzer reaches the records and the saved
 * models behind the checksum. */
#include <gsl/gsl_errno.h>
#include <math.h>
#include "forecast/cv.h"
#include "forecast/shard.h"
#include "fuzz_util.h"

#define NS 4
#define N 40

static fc_panel panel;
static fc_series series[NS];
static double y[NS][N];
static char keys[NS][16];
static fc_model *cands[3];
static fc_cv_opts opts;
static fc_buf valid, valid_pred, valid_retr;

/* Each prefit's text is a string inside bounds (ASan sees a bad read). */
static int count_prefit(void *ctx, size_t series, size_t candidate, const char *kind,
                        const char *saved)
{
	(void)series;
	(void)candidate;
	*(size_t *)ctx += strlen(kind) + strlen(saved);
	return 0;
}

static void setup(void)
{
	gsl_set_error_handler_off();
	panel.freq = (fc_freq){FC_UNIT_STEP, 1, 0};
	panel.style = (fc_time_style){FC_STYLE_INT, 0};
	panel.series = series;
	panel.n_series = NS;
	for (size_t i = 0; i < NS; i++) {
		snprintf(keys[i], sizeof keys[i], "id=%zu", i);
		series[i].key = keys[i];
		series[i].start = 1;
		series[i].n = i == 3 ? 5 : N;
		series[i].y = y[i];
		for (size_t t = 0; t < N; t++)
			y[i][t] = 10 + (double)(i * t) * 0.5 + 2 * sin((double)t) + (double)(t % 3);
	}
	static const char *const kinds[] = {"naive", "drift", "theta"};
	for (size_t k = 0; k < 3; k++)
		cands[k] = fc_model_alloc(fc_model_lookup(kinds[k]), NULL);
	opts = (fc_cv_opts){.horizon = 3, .folds = 2, .n_levels = 1, .levels = {80},
	                    .metric = FC_METRIC_MAE, .n_candidates = 3, .candidates = cands,
	                    .forecast = 1, .ensemble = FC_ENSEMBLE_CARUANA,
	                    .ensemble_by = FC_ENSEMBLE_BY_BLEND};
	fc_run *run = NULL;
	fc_err err;
	char *argv[] = {"fit", "x.csv"};
	fc_part_info info = {.forecast = 1, .shard = 0, .n_shards = 1,
	                     .fingerprint = "0123456789abcdef", .argc = 2, .argv = argv};
	fc_buf_init(&valid);
	if (fc_cv_begin(&panel, &opts, 3, &run, &err) == 0 &&
	    fc_cv_backtest(&panel, &opts, run, 0, 3, NULL, &err) == 0 &&
	    fc_cv_prefit(&panel, &opts, run, &err) == 0)
		fc_part_encode(&valid, &info, &panel, &opts, run, NULL, &err);
	fc_run_free(run);
	fc_pred_record rec[2] = {
		{.index = 0, .key = "id=0", .ok = 1, .rows = "id=0,1,2.5\nid=0,2,3\n", .rows_len = 20},
		{.index = 2, .key = "id=2", .ok = 0, .rows = "", .rows_len = 0},
	};
	fc_pred_part pp = {.shard = 0, .n_shards = 1, .model = "0123456789abcdef", .horizon = 2,
	                   .n_levels = 1, .levels = {80}, .n_series = 3, .header = "id,t,f\n",
	                   .header_len = 7, .n_records = 2, .records = rec};
	fc_buf_init(&valid_pred);
	fc_pred_part_encode(&valid_pred, &pp, &err);
	unsigned char ok[2] = {1, 0}, ok2[2] = {0, 1};
	double mean[6] = {1, 2, 3, 4, 5, 6};
	fc_retrain_entry champ[1] = {{.key = 0, .ok = ok, .mean = mean}};
	fc_retrain_entry chal[2] = {{.key = 77, .ok = ok, .mean = mean},
	                            {.key = 78, .ok = ok2, .mean = mean}};
	fc_retrain_record rr[2] = {
		{.index = 0, .key = "id=0", .n_champion = 1, .n_challenger = 2, .champion = champ,
		 .challenger = chal},
		{.index = 2, .key = "id=2", .n_champion = 0, .n_challenger = 1, .challenger = chal},
	};
	char *rargv[] = {"retrain", "x.csv", "--name", "shop"};
	fc_retrain_part rp = {.shard = 0, .n_shards = 1, .name = "shop", .champion_version = 1,
	                      .champion = "0123456789abcdef", .fingerprint = "0123456789abcdef",
	                      .argc = 4, .argv = rargv, .horizon = 3, .folds = 2, .n_series = NS,
	                      .fit_part = valid.data, .fit_part_len = valid.len, .n_records = 2,
	                      .records = rr};
	fc_buf_init(&valid_retr);
	fc_retrain_part_encode(&valid_retr, &rp, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	if (!init) {
		setup();
		init = 1;
	}
	if (size < 5 || valid.len < 16 || valid_pred.len < 16 || valid_retr.len < 16)
		return 0;
	uint8_t mode = data[0];
	const fc_buf *base = mode & 8 ? &valid_retr : mode & 4 ? &valid_pred : &valid;
	size_t off = ((size_t)data[1] << 8 | data[2]) % base->len;
	size_t cut = ((size_t)data[3] << 8 | data[4]);
	data += 5, size -= 5;
	uint8_t *part;
	size_t len;
	if (!(mode & 1)) { /* the bytes as they are */
		part = malloc(size ? size : 1);
		if (!part)
			return 0;
		memcpy(part, data, size);
		len = size;
	} else { /* the valid part, cut and overlaid, its checksum made right */
		len = base->len - 8;
		if (mode & 2)
			len = cut % len;
		if (off + size > len)
			len = off + size;
		part = calloc(len + 8, 1);
		if (!part)
			return 0;
		memcpy(part, base->data, len < base->len - 8 ? len : base->len - 8);
		memcpy(part + off, data, size);
		uint64_t h = fnv1a(part, len);
		for (int k = 0; k < 8; k++)
			part[len + (size_t)k] = (uint8_t)(h >> (8 * k));
		len += 8;
	}
	fc_err err;
	fc_pred_part pp;
	if (fc_pred_part_decode(part, len, &pp, &err) == 0) {
		/* every record's rows lie inside the part */
		for (size_t k = 0; k < pp.n_records; k++)
			if (pp.records[k].rows < (const char *)part ||
			    pp.records[k].rows + pp.records[k].rows_len > (const char *)part + len)
				__builtin_trap();
		fc_pred_part_dispose(&pp);
	}
	fc_retrain_part rp;
	size_t chars = 0;
	if (fc_retrain_part_decode(part, len, &rp, &err) == 0) {
		/* the fit part lies inside the part, and its prefits read */
		if ((const uint8_t *)rp.fit_part < part ||
		    (const uint8_t *)rp.fit_part + rp.fit_part_len > part + len)
			__builtin_trap();
		for (size_t r = 0; r < rp.n_records; r++)
			for (size_t k = 0; k < rp.records[r].n_challenger; k++)
				chars += rp.records[r].challenger[k].ok[rp.folds ? rp.folds - 1 : 0];
		fc_part_prefits(rp.fit_part, rp.fit_part_len, count_prefit, &chars, &err);
		fc_retrain_part_dispose(&rp);
	}
	fc_part_prefits(part, len, count_prefit, &chars, &err);
	fc_part_info info;
	if (fc_part_read_info(part, len, &info, &err) == 0)
		fc_part_info_dispose(&info);
	fc_run *run = NULL;
	unsigned char seen[NS] = {0};
	if (fc_cv_begin(&panel, &opts, 3, &run, &err) == 0) {
		if (fc_part_load(part, len, &panel, &opts, run, seen, &err) == 0)
			fc_cv_finish(&panel, &opts, run, &err);
		fc_run_free(run);
	}
	free(part);
	return 0;
}
