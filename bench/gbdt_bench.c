/* Driver of bench/gbdt.sh: trains libforecast's histogram GBDT on the raw
 * float32 matrices written by bench/gbdt_xgb.py (gen) and prints one JSON
 * line with the training time (binning included) and the test RMSE.
 *
 *   gbdt_bench DIR N_TREES NUM_LEAVES LEARNING_RATE MAX_BIN
 *
 * Parameters match bench/gbdt_xgb.py train: squared loss, lambda_l2 0,
 * min_data_in_leaf 20 (min_child_weight 20 on the xgboost side),
 * min_sum_hessian 0, no subsampling. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#include "forecast/gbdt.h"

static float *read_f32(const char *dir, const char *name, size_t *n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long bytes = ftell(f);
	fseek(f, 0, SEEK_SET);
	float *v = malloc((size_t)bytes);
	if (v && fread(v, 1, (size_t)bytes, f) != (size_t)bytes) {
		free(v);
		v = NULL;
	}
	fclose(f);
	*n = (size_t)bytes / sizeof(float);
	return v;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: gbdt_bench DIR N_TREES NUM_LEAVES LEARNING_RATE MAX_BIN\n");
		return 2;
	}
	size_t nx, ny, nxt, nyt;
	float *x = read_f32(argv[1], "x_train.f32", &nx), *y = read_f32(argv[1], "y_train.f32", &ny);
	float *xt = read_f32(argv[1], "x_test.f32", &nxt), *yt = read_f32(argv[1], "y_test.f32", &nyt);
	if (!x || !y || !xt || !yt || nx % ny || nxt != nx / ny * nyt) {
		fprintf(stderr, "gbdt_bench: cannot read the data in %s\n", argv[1]);
		return 1;
	}
	fc_gbdt_params p = fc_gbdt_default_params();
	p.n_trees = (size_t)atol(argv[2]);
	p.num_leaves = (size_t)atol(argv[3]);
	p.learning_rate = atof(argv[4]);
	p.max_bin = (size_t)atol(argv[5]);
	p.min_data_in_leaf = 20;
	p.min_sum_hessian = 0;
	fc_err err;
	fc_gbdt *m = NULL;
	double t0 = omp_get_wtime();
	if (fc_gbdt_train(&p, x, ny, nx / ny, NULL, y, NULL, NULL, 0, NULL, &m, &err)) {
		fprintf(stderr, "gbdt_bench: %s\n", err.msg);
		return 1;
	}
	double secs = omp_get_wtime() - t0;
	double *pred = malloc(nyt * sizeof *pred), s = 0;
	fc_gbdt_predict(m, xt, nyt, pred);
	for (size_t r = 0; r < nyt; r++)
		s += ((double)yt[r] - pred[r]) * ((double)yt[r] - pred[r]);
	printf("{\"seconds\": %.3f, \"rmse\": %.6f, \"trees\": %zu, \"threads\": %d}\n", secs,
	       sqrt(s / (double)nyt), fc_gbdt_n_trees(m), omp_get_max_threads());
	fc_gbdt_free(m);
	free(x);
	free(y);
	free(xt);
	free(yt);
	free(pred);
	return 0;
}
