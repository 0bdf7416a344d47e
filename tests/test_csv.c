/* Tests of the CSV reader and panel builder (src/io/csv_read.c, panel.c):
 * separators, quoting, missing tokens, column-role detection, ordering,
 * regularization, imputation, duplicates, frequencies, and one exact
 * "file:line:col:" message per kind of bad input.  Inputs: tests/data. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/panel.h"

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must name the tests/data folder"
#endif
#define DATA(f) TEST_DATA_DIR "/" f

static fc_panel *load(const char *path, const fc_read_opts *o)
{
	fc_err err;
	fc_err_clear(&err);
	fc_panel *p = NULL;
	int rc = fc_panel_read(path, o, &p, &err);
	ck_assert_msg(rc == 0, "reading %s: %d %s", path, rc, err.msg);
	ck_assert_ptr_nonnull(p);
	return p;
}

/* Asserts the code, that *out is untouched, the message's exact start and
 * (when given) a phrase inside it. */
static void expect_error(const char *path, const fc_read_opts *o, int code, const char *prefix,
                         const char *phrase)
{
	fc_err err;
	fc_err_clear(&err);
	fc_panel *sentinel = (fc_panel *)&err, *p = sentinel;
	int rc = fc_panel_read(path, o, &p, &err);
	ck_assert_msg(rc == code, "%s: code %d, want %d (%s)", path, rc, code, err.msg);
	ck_assert_int_eq(err.code, code);
	ck_assert_ptr_eq(p, sentinel);
	ck_assert_msg(strncmp(err.msg, prefix, strlen(prefix)) == 0, "message \"%s\" should start \"%s\"",
	              err.msg, prefix);
	if (phrase)
		ck_assert_msg(strstr(err.msg, phrase), "message \"%s\" should contain \"%s\"", err.msg,
		              phrase);
}

static void check_y(const fc_series *s, const double *want, size_t n)
{
	ck_assert_uint_eq(s->n, n);
	for (size_t i = 0; i < n; i++) {
		if (isnan(want[i]))
			ck_assert_msg(isnan(s->y[i]), "%s y[%zu] = %g, want NaN", s->key, i, s->y[i]);
		else
			ck_assert_msg(fabs(s->y[i] - want[i]) < 1e-12, "%s y[%zu] = %g, want %g", s->key, i,
			              s->y[i], want[i]);
	}
}

static void check_x(const double *x, const double *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(fabs(x[i] - want[i]) < 1e-12, "x[%zu] = %g, want %g", i, x[i], want[i]);
}

static fc_time day(int y, int m, int d)
{
	return fc_time_from_civil(y, m, d, 0, 0, 0);
}

/* ------------------------------------------------------------ separators */

START_TEST(sniff_comma)
{
	fc_panel *p = load(DATA("csv_basic.csv"), NULL);
	ck_assert_uint_eq(p->n_rows, 12);
	ck_assert_uint_eq(p->n_series, 4);
	ck_assert_str_eq(p->time_name, "date");
	fc_panel_free(p);
}
END_TEST

static void check_regions(fc_panel *p)
{
	ck_assert_uint_eq(p->n_series, 2);
	ck_assert_uint_eq(p->n_groups, 1);
	ck_assert_str_eq(p->group_names[0], "region");
	ck_assert_str_eq(p->target_name, "sales");
	ck_assert_str_eq(p->series[0].key, "region=north");
	ck_assert_str_eq(p->series[1].key, "region=south");
	check_y(&p->series[0], (double[]){ 1.5, 2.5 }, 2);
	check_y(&p->series[1], (double[]){ 3, 4 }, 2);
}

START_TEST(sniff_semicolon)
{
	fc_panel *p = load(DATA("csv_semicolon.csv"), NULL);
	check_regions(p);
	fc_panel_free(p);
}
END_TEST

START_TEST(sniff_tab)
{
	fc_panel *p = load(DATA("csv_tab.csv"), NULL);
	check_regions(p);
	fc_panel_free(p);
}
END_TEST

START_TEST(sep_given)
{
	fc_read_opts o = fc_read_opts_default();
	o.sep = ';';
	fc_panel *p = load(DATA("csv_semicolon.csv"), &o);
	check_regions(p);
	fc_panel_free(p);
	/* the wrong separator leaves one column */
	o.sep = ',';
	expect_error(DATA("csv_semicolon.csv"), &o, FC_EINPUT, DATA("csv_semicolon.csv") ":1: ",
	             "--sep");
}
END_TEST

START_TEST(quotes_crlf_bom)
{
	fc_panel *p = load(DATA("csv_quoted.csv"), NULL);
	ck_assert_str_eq(p->group_names[0], "store"); /* BOM not part of the name */
	ck_assert_str_eq(p->time_name, "date");
	ck_assert_uint_eq(p->n_series, 2);
	ck_assert_str_eq(p->series[0].group_values[0], "A, Inc.");
	ck_assert_str_eq(p->series[0].key, "store=A, Inc.");
	ck_assert_str_eq(p->series[1].group_values[0], "B \"x\"");
	check_y(&p->series[0], (double[]){ 1, 2 }, 2);
	check_y(&p->series[1], (double[]){ 3, 4 }, 2); /* " 4 " quoted with spaces */
	fc_panel_free(p);
}
END_TEST

START_TEST(line_numbers_multiline)
{
	/* a newline inside a quoted field and a blank line both count */
	expect_error(DATA("bad_multiline.csv"), NULL, FC_EINPUT,
	             DATA("bad_multiline.csv") ":5:4: column 'sales': \"x\" is not a number", NULL);
	expect_error(DATA("bad_multiline_crlf.csv"), NULL, FC_EINPUT,
	             DATA("bad_multiline_crlf.csv") ":5:4: column 'sales': \"x\" is not a number", NULL);
}
END_TEST

START_TEST(stdin_dash)
{
	ck_assert_ptr_nonnull(freopen(DATA("csv_tab.csv"), "rb", stdin));
	fc_panel *p = load("-", NULL);
	check_regions(p);
	ck_assert_str_eq(p->path, "-");
	fc_panel_free(p);
}
END_TEST

START_TEST(na_tokens)
{
	fc_read_opts o = fc_read_opts_default();
	o.fill = FC_FILL_NONE;
	fc_panel *p = load(DATA("csv_na.csv"), &o);
	check_y(&p->series[0], (double[]){ 1, NAN, NAN, NAN, NAN, NAN, 7 }, 7);
	ck_assert_uint_eq(p->series[0].n_missing, 5);
	ck_assert_uint_eq(p->series[0].n_inserted, 0);
	ck_assert_uint_eq(p->series[0].n_filled, 0);
	ck_assert_int_eq(p->fill, FC_FILL_NONE);
	fc_panel_free(p);
}
END_TEST

/* ------------------------------------------------------------ detection */

START_TEST(detect_store_item_date_sales)
{
	fc_panel *p = load(DATA("csv_basic.csv"), NULL);
	ck_assert_str_eq(p->time_name, "date");
	ck_assert_str_eq(p->target_name, "sales");
	ck_assert_uint_eq(p->n_groups, 2);
	ck_assert_str_eq(p->group_names[0], "store");
	ck_assert_str_eq(p->group_names[1], "item");
	ck_assert_uint_eq(p->n_exog, 0);
	ck_assert_int_eq(p->style.kind, FC_STYLE_DATE);
	ck_assert_int_eq(p->freq.unit, FC_UNIT_DAY);
	ck_assert_int_eq(p->freq.mult, 1);
	ck_assert_int_eq(p->freq_inferred, 1);
	ck_assert_uint_eq(p->n_seasons, 2);
	ck_assert_double_eq(p->seasons[0], 7);
	ck_assert_double_eq(p->seasons[1], 365.25);
	/* a few rows show no seasonality: tested per series, none is kept */
	ck_assert_int_eq(p->seasons_tested, 1);
	ck_assert_uint_eq(p->series[0].n_seasons, 0);
	ck_assert_uint_eq(fc_series_period(&p->series[0]), 1);
	/* numeric-aware: item 2 before item 10 */
	ck_assert_str_eq(p->series[0].key, "store=1,item=2");
	ck_assert_str_eq(p->series[1].key, "store=1,item=10");
	ck_assert_str_eq(p->series[2].key, "store=2,item=2");
	ck_assert_str_eq(p->series[3].key, "store=2,item=10");
	ck_assert_int_eq(p->series[0].start, day(2024, 1, 1));
	check_y(&p->series[1], (double[]){ 10, 20, 30 }, 3);
	check_y(&p->series[3], (double[]){ 5, 6, 7 }, 3);
	fc_panel_free(p);
}
END_TEST

START_TEST(detect_unique_id_ds_y)
{
	fc_panel *p = load(DATA("csv_nixtla.csv"), NULL);
	ck_assert_str_eq(p->time_name, "ds");
	ck_assert_str_eq(p->target_name, "y");
	ck_assert_uint_eq(p->n_groups, 1);
	ck_assert_str_eq(p->group_names[0], "unique_id");
	ck_assert_int_eq(p->style.kind, FC_STYLE_INT);
	ck_assert_int_eq(p->freq.unit, FC_UNIT_STEP);
	ck_assert_uint_eq(p->n_seasons, 0); /* integer steps: none unless given */
	ck_assert_str_eq(p->series[0].key, "unique_id=a");
	ck_assert_int_eq(p->series[0].start, 3);
	/* 3.25, 4.25, (5 inserted), 6.25: not counts, so linear */
	ck_assert_int_eq(p->fill, FC_FILL_LINEAR);
	check_y(&p->series[0], (double[]){ 3.25, 4.25, 5.25, 6.25 }, 4);
	ck_assert_int_eq(p->series[1].start, 1);
	check_y(&p->series[1], (double[]){ 10.5, 11.5, 12.5 }, 3);
	ck_assert_uint_eq(fc_series_period(&p->series[0]), 1);
	fc_panel_free(p);
}
END_TEST

START_TEST(keep_seasons_untested)
{
	fc_read_opts o = fc_read_opts_default();
	o.keep_seasons = 1;
	fc_panel *p = load(DATA("csv_basic.csv"), &o);
	ck_assert_int_eq(p->seasons_tested, 0);
	ck_assert_uint_eq(p->series[0].n_seasons, 2);
	ck_assert_double_eq(p->series[0].seasons[0], 7);
	ck_assert_uint_eq(fc_series_period(&p->series[0]), 7);
	fc_panel_free(p);
}
END_TEST

START_TEST(integer_steps_given_seasons)
{
	fc_read_opts o = fc_read_opts_default();
	o.n_seasons = 2;
	o.seasons[0] = 12;
	o.seasons[1] = 4;
	fc_panel *p = load(DATA("csv_nixtla.csv"), &o);
	ck_assert_uint_eq(p->n_seasons, 2);
	ck_assert_double_eq(p->seasons[0], 4); /* shortest first */
	ck_assert_double_eq(p->seasons[1], 12);
	ck_assert_uint_eq(p->series[1].n_seasons, 2);
	ck_assert_uint_eq(fc_series_period(&p->series[1]), 4);
	fc_panel_free(p);
}
END_TEST

START_TEST(explicit_names)
{
	fc_read_opts o = fc_read_opts_default();
	o.time_col = "when";
	o.target_col = "amount_sold";
	o.group_cols = "shop";
	fc_panel *p = load(DATA("csv_named.csv"), &o);
	ck_assert_str_eq(p->time_name, "when");
	ck_assert_str_eq(p->target_name, "amount_sold");
	ck_assert_uint_eq(p->n_groups, 1);
	ck_assert_str_eq(p->group_names[0], "shop");
	/* price is exogenous; the text column 'comment' is ignored */
	ck_assert_uint_eq(p->n_exog, 1);
	ck_assert_str_eq(p->exog_names[0], "price");
	ck_assert_str_eq(p->series[1].key, "shop=south");
	check_y(&p->series[1], (double[]){ 5, 6 }, 2);
	check_x(p->series[1].exog[0], (double[]){ 2.5, 2.6 }, 2);
	fc_panel_free(p);
}
END_TEST

START_TEST(time_detected_by_values)
{
	fc_read_opts o = fc_read_opts_default();
	o.target_col = "amount_sold";
	fc_panel *p = load(DATA("csv_named.csv"), &o);
	ck_assert_str_eq(p->time_name, "when");
	/* auto groups: every text column */
	ck_assert_uint_eq(p->n_groups, 2);
	ck_assert_str_eq(p->group_names[0], "shop");
	ck_assert_str_eq(p->group_names[1], "comment");
	ck_assert_uint_eq(p->n_series, 2);
	ck_assert_str_eq(p->series[0].key, "shop=north,comment=hello");
	check_y(&p->series[0], (double[]){ 3, 4 }, 2);
	fc_panel_free(p);
}
END_TEST

START_TEST(future_rows)
{
	/* with exogenous columns, trailing rows with an empty target are the
	 * known future of the exogenous columns, not missing history */
	fc_read_opts o = fc_read_opts_default();
	o.fill = FC_FILL_LINEAR;
	fc_panel *p = load(DATA("csv_future.csv"), &o);
	ck_assert_uint_eq(p->n_series, 2);
	const fc_series *a = &p->series[0], *b = &p->series[1];
	ck_assert_str_eq(a->key, "store=a");
	ck_assert_uint_eq(a->n, 4);        /* up to the last present target */
	ck_assert_uint_eq(a->n_future, 2); /* 2024-01-05 and -06 */
	check_y(a, (double[]){ 10, 12, 13, 14 }, 4); /* the interior gap is filled */
	ck_assert_ptr_nonnull(a->exog_names);
	ck_assert_str_eq(a->exog_names[0], "price");
	ck_assert_double_eq(a->exog[0][4], 1.4);
	ck_assert_double_eq(a->exog[0][5], 1.5);
	ck_assert_uint_eq(b->n, 3);
	ck_assert_uint_eq(b->n_future, 0);
	fc_panel_free(p);
	/* without exogenous columns trailing empty targets stay missing values */
	o.group_cols = NULL;
	fc_panel *q = load(DATA("csv_gaps.csv"), NULL);
	for (size_t i = 0; i < q->n_series; i++)
		ck_assert_uint_eq(q->series[i].n_future, 0);
	fc_panel_free(q);
}
END_TEST

START_TEST(no_groups_all_exog)
{
	fc_read_opts o = fc_read_opts_default();
	o.group_cols = "";
	fc_panel *p = load(DATA("csv_exog.csv"), &o);
	ck_assert_uint_eq(p->n_groups, 0);
	ck_assert_uint_eq(p->n_series, 1);
	ck_assert_str_eq(p->series[0].key, "");
	ck_assert_uint_eq(p->n_exog, 3);
	ck_assert_str_eq(p->exog_names[0], "store");
	ck_assert_str_eq(p->exog_names[1], "price");
	ck_assert_str_eq(p->exog_names[2], "promo");
	ck_assert_int_eq(fc_panel_find(p, NULL), 0);
	fc_panel_free(p);
}
END_TEST

START_TEST(ambiguous_target)
{
	expect_error(DATA("csv_named.csv"), NULL, FC_EINPUT, DATA("csv_named.csv") ": ambiguous target",
	             "amount_sold, price; use --target NAME");
	expect_error(DATA("csv_two_targets.csv"), NULL, FC_EINPUT,
	             DATA("csv_two_targets.csv") ": ambiguous target", "sales, qty; use --target NAME");
}
END_TEST

START_TEST(ambiguous_time)
{
	expect_error(DATA("csv_two_dates.csv"), NULL, FC_EINPUT,
	             DATA("csv_two_dates.csv") ": ambiguous time", "start, end; use --time NAME");
	fc_read_opts o = fc_read_opts_default();
	o.time_col = "end";
	o.freq = "D"; /* every 'start' value is its own one-row series */
	fc_panel *p = load(DATA("csv_two_dates.csv"), &o);
	ck_assert_str_eq(p->time_name, "end");
	ck_assert_int_eq(p->series[0].start, day(2024, 1, 2));
	ck_assert_uint_eq(p->n_groups, 1); /* 'start' is text: a group */
	ck_assert_uint_eq(p->n_series, 2);
	fc_panel_free(p);
}
END_TEST

START_TEST(unknown_columns)
{
	fc_read_opts o = fc_read_opts_default();
	o.target_col = "nope";
	expect_error(DATA("csv_basic.csv"), &o, FC_EINVAL, DATA("csv_basic.csv") ": ",
	             "unknown column 'nope'; columns are: store, item, date, sales");
	o = fc_read_opts_default();
	o.time_col = "when";
	expect_error(DATA("csv_basic.csv"), &o, FC_EINVAL, DATA("csv_basic.csv") ": ",
	             "unknown column 'when'");
	o = fc_read_opts_default();
	o.group_cols = "store,shop";
	expect_error(DATA("csv_basic.csv"), &o, FC_EINVAL, DATA("csv_basic.csv") ": ",
	             "unknown column 'shop'");
	o = fc_read_opts_default();
	o.group_cols = "store,date";
	expect_error(DATA("csv_basic.csv"), &o, FC_EINVAL, DATA("csv_basic.csv") ": ",
	             "column 'date'");
}
END_TEST

/* ------------------------------------------------------------ series */

START_TEST(unsorted_rows)
{
	fc_panel *p = load(DATA("csv_unsorted.csv"), NULL);
	ck_assert_uint_eq(p->n_series, 2);
	ck_assert_int_eq(p->series[0].start, day(2024, 1, 1));
	check_y(&p->series[0], (double[]){ 1, 2, 3 }, 3);
	check_y(&p->series[1], (double[]){ 10, 20, 30 }, 3);
	fc_panel_free(p);
}
END_TEST

START_TEST(ragged_starts_ends)
{
	fc_panel *p = load(DATA("csv_ragged.csv"), NULL);
	ck_assert_uint_eq(p->n_series, 3);
	ck_assert_int_eq(p->series[0].start, day(2024, 1, 1));
	check_y(&p->series[0], (double[]){ 1, 2, 3, 4 }, 4);
	ck_assert_int_eq(p->series[1].start, day(2024, 1, 3));
	check_y(&p->series[1], (double[]){ 30, 40, 50, 60 }, 4);
	ck_assert_int_eq(p->series[2].start, day(2024, 1, 2));
	check_y(&p->series[2], (double[]){ 200 }, 1);
	for (size_t s = 0; s < 3; s++)
		ck_assert_uint_eq(p->series[s].n_inserted, 0);
	fc_panel_free(p);
}
END_TEST

static fc_panel *gaps(fc_fill fill)
{
	fc_read_opts o = fc_read_opts_default();
	o.fill = fill;
	fc_panel *p = load(DATA("csv_gaps.csv"), &o);
	ck_assert_uint_eq(p->n_series, 1);
	ck_assert_int_eq(p->series[0].start, day(2024, 1, 1));
	ck_assert_uint_eq(p->series[0].n, 9);
	ck_assert_uint_eq(p->series[0].n_inserted, 3); /* Jan 4, 5, 8 */
	return p;
}

START_TEST(fill_none)
{
	fc_panel *p = gaps(FC_FILL_NONE);
	const fc_series *s = &p->series[0];
	check_y(s, (double[]){ NAN, 2, NAN, NAN, NAN, 8, 10, NAN, NAN }, 9);
	ck_assert_uint_eq(s->n_filled, 0);
	ck_assert_uint_eq(s->n_missing, 6);
	fc_panel_free(p);
}
END_TEST

START_TEST(fill_zero)
{
	fc_panel *p = gaps(FC_FILL_ZERO);
	const fc_series *s = &p->series[0];
	check_y(s, (double[]){ 0, 2, 0, 0, 0, 8, 10, 0, 0 }, 9);
	ck_assert_uint_eq(s->n_filled, 6);
	ck_assert_uint_eq(s->n_missing, 0);
	ck_assert_int_eq(p->fill, FC_FILL_ZERO);
	fc_panel_free(p);
}
END_TEST

START_TEST(fill_ffill)
{
	fc_panel *p = gaps(FC_FILL_FFILL);
	const fc_series *s = &p->series[0];
	check_y(s, (double[]){ NAN, 2, 2, 2, 2, 8, 10, 10, 10 }, 9);
	ck_assert_uint_eq(s->n_filled, 5);
	ck_assert_uint_eq(s->n_missing, 1);
	fc_panel_free(p);
}
END_TEST

START_TEST(fill_linear)
{
	fc_panel *p = gaps(FC_FILL_LINEAR);
	const fc_series *s = &p->series[0];
	/* ends: the nearest value; inside: the straight line 2 .. 8 */
	check_y(s, (double[]){ 2, 2, 3.5, 5, 6.5, 8, 10, 10, 10 }, 9);
	ck_assert_uint_eq(s->n_filled, 6);
	ck_assert_uint_eq(s->n_missing, 0);
	fc_panel_free(p);
}
END_TEST

START_TEST(fill_auto)
{
	fc_panel *p = gaps(FC_FILL_AUTO); /* 2, 8, 10: counts, linear all the same */
	ck_assert_int_eq(p->fill, FC_FILL_LINEAR);
	fc_panel_free(p);
	p = load(DATA("csv_hourly.csv"), NULL); /* 1.5, ...: not counts */
	ck_assert_int_eq(p->fill, FC_FILL_LINEAR);
	fc_panel_free(p);
}
END_TEST

START_TEST(all_missing_series_kept)
{
	fc_panel *p = load(DATA("csv_all_missing.csv"), NULL);
	ck_assert_uint_eq(p->n_series, 2);
	const fc_series *s = &p->series[1];
	ck_assert_str_eq(s->key, "store=2");
	check_y(s, (double[]){ NAN, NAN, NAN }, 3); /* not filled, even with zero */
	ck_assert_uint_eq(s->n_missing, 3);
	ck_assert_uint_eq(s->n_filled, 0);
	ck_assert_uint_eq(s->n_inserted, 1);
	fc_panel_free(p);
}
END_TEST

START_TEST(duplicate_error)
{
	expect_error(DATA("csv_dup.csv"), NULL, FC_EINPUT,
	             DATA("csv_dup.csv") ":5:2: duplicate timestamp 2024-01-02 for series store=1 "
	             "(first on line 3); use --aggregate sum|mean|min|max|last", NULL);
}
END_TEST

/* csv_dup.csv, store 1 on 2024-01-02: sales 2, 4, 3, NA; price 10, 20, 30, NA */
static void check_agg(fc_aggregate a, double y, double price)
{
	fc_read_opts o = fc_read_opts_default();
	o.aggregate = a;
	fc_panel *p = load(DATA("csv_dup.csv"), &o);
	ck_assert_uint_eq(p->n_rows, 7);
	ck_assert_uint_eq(p->n_duplicates, 3);
	ck_assert_uint_eq(p->n_exog, 1);
	const fc_series *s = &p->series[0];
	check_y(s, (double[]){ 1, y }, 2);
	check_x(s->exog[0], (double[]){ 1, price }, 2);
	check_y(&p->series[1], (double[]){ 5, 6 }, 2);
	fc_panel_free(p);
}

START_TEST(aggregate_sum) { check_agg(FC_AGG_SUM, 9, 60); }
END_TEST
START_TEST(aggregate_mean) { check_agg(FC_AGG_MEAN, 3, 20); }
END_TEST
START_TEST(aggregate_min) { check_agg(FC_AGG_MIN, 2, 10); }
END_TEST
START_TEST(aggregate_max) { check_agg(FC_AGG_MAX, 4, 30); }
END_TEST
START_TEST(aggregate_last) { check_agg(FC_AGG_LAST, 3, 30); }
END_TEST

/* ------------------------------------------------------------ frequencies */

START_TEST(monthly_yyyy_mm)
{
	fc_panel *p = load(DATA("csv_monthly.csv"), NULL);
	ck_assert_str_eq(p->time_name, "month");
	ck_assert_int_eq(p->style.kind, FC_STYLE_MONTH);
	ck_assert_int_eq(p->freq.unit, FC_UNIT_MONTH);
	ck_assert_int_eq(p->freq.mult, 1);
	ck_assert_int_eq(p->freq.anchor, FC_ANCHOR_START);
	ck_assert_uint_eq(p->n_seasons, 1);
	ck_assert_double_eq(p->seasons[0], 12);
	ck_assert_int_eq(p->series[0].start, day(2023, 11, 1));
	check_y(&p->series[0], (double[]){ 5, 6, 7, 8, 9 }, 5); /* 2024-01 inserted, interpolated */
	ck_assert_uint_eq(p->series[0].n_inserted, 1);
	fc_panel_free(p);
}
END_TEST

START_TEST(month_end)
{
	fc_panel *p = load(DATA("csv_month_end.csv"), NULL);
	ck_assert_int_eq(p->freq.unit, FC_UNIT_MONTH);
	ck_assert_int_eq(p->freq.anchor, FC_ANCHOR_END);
	ck_assert_int_eq(p->series[0].start, day(2024, 1, 31));
	check_y(&p->series[0], (double[]){ 1, 2, 3, 4, 5 }, 5); /* April inserted, interpolated */
	fc_panel_free(p);
}
END_TEST

START_TEST(weekly_friday)
{
	fc_panel *p = load(DATA("csv_weekly.csv"), NULL);
	ck_assert_int_eq(p->freq.unit, FC_UNIT_WEEK);
	ck_assert_int_eq(p->freq.mult, 1);
	ck_assert_int_eq(p->freq.anchor, 4); /* Friday */
	ck_assert_uint_eq(p->n_seasons, 1);
	ck_assert_double_eq_tol(p->seasons[0], 52.1775, 1e-9);
	check_y(&p->series[0], (double[]){ 1, 2, 3, 4 }, 4);
	fc_panel_free(p);
}
END_TEST

START_TEST(hourly_datetime)
{
	fc_panel *p = load(DATA("csv_hourly.csv"), NULL);
	ck_assert_str_eq(p->time_name, "timestamp");
	ck_assert_str_eq(p->target_name, "load");
	ck_assert_int_eq(p->style.kind, FC_STYLE_DATETIME);
	ck_assert_int_eq(p->style.sep, ' ');
	ck_assert_int_eq(p->freq.unit, FC_UNIT_HOUR);
	ck_assert_uint_eq(p->n_seasons, 2);
	ck_assert_double_eq(p->seasons[0], 24);
	ck_assert_double_eq(p->seasons[1], 168);
	ck_assert_int_eq(p->series[0].start, fc_time_from_civil(2024, 3, 1, 0, 0, 0));
	check_y(&p->series[0], (double[]){ 1.5, 2.5, 3.5, 4.5, 5.5 }, 5);
	ck_assert_uint_eq(p->series[0].n_filled, 1);
	fc_panel_free(p);
}
END_TEST

START_TEST(freq_given)
{
	fc_read_opts o = fc_read_opts_default();
	o.freq = "D";
	fc_panel *p = load(DATA("csv_single.csv"), &o);
	ck_assert_int_eq(p->freq_inferred, 0);
	ck_assert_int_eq(p->freq.unit, FC_UNIT_DAY);
	ck_assert_uint_eq(p->n_seasons, 2);
	check_y(&p->series[0], (double[]){ 3 }, 1);
	fc_panel_free(p);
	/* without --freq a lone timestamp gives no frequency */
	expect_error(DATA("csv_single.csv"), NULL, FC_EINPUT, DATA("csv_single.csv") ": ", "--freq");
	/* hours do not suit YYYY-MM */
	o.freq = "h";
	expect_error(DATA("csv_monthly.csv"), &o, FC_EINVAL, DATA("csv_monthly.csv") ": ", "'h'");
	o.freq = "fortnightly";
	expect_error(DATA("csv_monthly.csv"), &o, FC_EINVAL, "", NULL);
	/* a given grid that the data are off: located */
	o.freq = "2D";
	expect_error(DATA("csv_ragged.csv"), &o, FC_EINPUT, DATA("csv_ragged.csv") ":3:2: ",
	             "(series store=1)");
}
END_TEST

START_TEST(exog_aligned)
{
	fc_panel *p = load(DATA("csv_exog.csv"), NULL);
	ck_assert_uint_eq(p->n_groups, 1); /* 'store' looks like an ID */
	ck_assert_uint_eq(p->n_exog, 2);
	ck_assert_str_eq(p->exog_names[0], "price");
	ck_assert_str_eq(p->exog_names[1], "promo");
	const fc_series *s = &p->series[0];
	ck_assert_uint_eq(s->n_exog, 2);
	check_y(s, (double[]){ 1, 2, 3, 4, 5 }, 5);
	/* forward then backward filled */
	check_x(s->exog[0], (double[]){ 1.2, 1.2, 1.3, 1.3, 1.5 }, 5);
	check_x(s->exog[1], (double[]){ 0, 0, 1, 1, 1 }, 5);
	fc_panel_free(p);
}
END_TEST

START_TEST(series_order_numeric)
{
	fc_panel *p = load(DATA("csv_order.csv"), NULL);
	const char *want[] = { "1", "2", "10", "A", "B" };
	ck_assert_uint_eq(p->n_series, 5);
	for (size_t s = 0; s < 5; s++)
		ck_assert_str_eq(p->series[s].group_values[0], want[s]);
	ck_assert_str_eq(p->series[2].key, "store=10");
	check_y(&p->series[2], (double[]){ 1, 1 }, 2);
	check_y(&p->series[4], (double[]){ 3, 3 }, 2);
	for (size_t s = 0; s < 5; s++)
		ck_assert_int_eq(fc_panel_find(p, (const char *[]){ want[s] }), (long)s);
	ck_assert_int_eq(fc_panel_find(p, (const char *[]){ "3" }), -1);
	ck_assert_int_eq(fc_panel_find(p, (const char *[]){ "C" }), -1);
	fc_panel_free(p);

	p = load(DATA("csv_basic.csv"), NULL);
	ck_assert_int_eq(fc_panel_find(p, (const char *[]){ "2", "10" }), 3);
	ck_assert_int_eq(fc_panel_find(p, (const char *[]){ "1", "2" }), 0);
	ck_assert_int_eq(fc_panel_find(p, (const char *[]){ "1", "3" }), -1);
	fc_panel_free(p);
	fc_panel_free(NULL);
}
END_TEST

START_TEST(many_rows_after_sample)
{
	/* 1500 rows: the first 1000 decide the roles, the rest stream */
	fc_panel *p = load(DATA("csv_long.csv"), NULL);
	ck_assert_uint_eq(p->n_rows, 1500);
	ck_assert_uint_eq(p->n_series, 3);
	for (size_t s = 0; s < 3; s++) {
		const fc_series *x = &p->series[s];
		ck_assert_uint_eq(x->n, 500);
		ck_assert_int_eq(x->start, day(2023, 1, 1));
		ck_assert_double_eq(x->y[0], (double)(s + 1));
		ck_assert_double_eq(x->y[499], (double)(9 + s + 1));
		ck_assert_double_eq(x->y[123], (double)(3 + s + 1));
	}
	fc_panel_free(p);
}
END_TEST

/* ------------------------------------------------------------ bad input */

START_TEST(bad_missing_file)
{
	expect_error(DATA("nothere.csv"), NULL, FC_EIO,
	             "cannot open '" DATA("nothere.csv") "': No such file or directory", NULL);
}
END_TEST

START_TEST(bad_empty_file)
{
	expect_error(DATA("bad_empty.csv"), NULL, FC_EINPUT,
	             DATA("bad_empty.csv") ": empty file: expected a header row", NULL);
}
END_TEST

START_TEST(bad_header_only)
{
	expect_error(DATA("bad_header_only.csv"), NULL, FC_EINPUT,
	             DATA("bad_header_only.csv") ":2: no data rows after the header", NULL);
}
END_TEST

START_TEST(bad_date)
{
	expect_error(DATA("bad_date.csv"), NULL, FC_EINPUT,
	             DATA("bad_date.csv") ":3:2: column 'date': \"2024-02-30\" is not a valid timestamp",
	             NULL);
}
END_TEST

START_TEST(bad_missing_time)
{
	expect_error(DATA("bad_missing_time.csv"), NULL, FC_EINPUT,
	             DATA("bad_missing_time.csv") ":3:2: column 'date': missing timestamp", NULL);
}
END_TEST

START_TEST(bad_number_target)
{
	expect_error(DATA("bad_number.csv"), NULL, FC_EINPUT,
	             DATA("bad_number.csv") ":3:2: column 'sales': \"12,5x\" is not a number", NULL);
}
END_TEST

START_TEST(bad_number_exog)
{
	expect_error(DATA("bad_exog.csv"), NULL, FC_EINPUT,
	             DATA("bad_exog.csv") ":1101:3: column 'price': \"abc\" is not a number", NULL);
}
END_TEST

START_TEST(bad_field_count)
{
	expect_error(DATA("bad_fields.csv"), NULL, FC_EINPUT,
	             DATA("bad_fields.csv") ":3: expected 4 fields, found 3", NULL);
}
END_TEST

START_TEST(bad_mixed_formats)
{
	expect_error(DATA("bad_mixed.csv"), NULL, FC_EINPUT,
	             DATA("bad_mixed.csv") ":4:1: mixed time formats: \"2024-01-03 10:00\" on this "
	             "line, but earlier rows use YYYY-MM-DD", NULL);
}
END_TEST

START_TEST(bad_irregular)
{
	expect_error(DATA("bad_irregular.csv"), NULL, FC_EINPUT,
	             DATA("bad_irregular.csv") ":7:2: timestamp 2024-01-22", "(series store=2)");
}
END_TEST

START_TEST(bad_duplicate_header)
{
	expect_error(DATA("bad_dup_header.csv"), NULL, FC_EINPUT,
	             DATA("bad_dup_header.csv") ":1:3: duplicate column name 'date' (also column 1)",
	             NULL);
}
END_TEST

START_TEST(bad_no_header)
{
	expect_error(DATA("bad_no_header.csv"), NULL, FC_EINPUT,
	             DATA("bad_no_header.csv") ":1: the first line looks like data", NULL);
}
END_TEST

START_TEST(bad_span)
{
	/* minute data with a year typo would need 10^8 slots: refused */
	expect_error(DATA("bad_span.csv"), NULL, FC_EINPUT,
	             DATA("bad_span.csv") ": the series would span 105189121 timestamps", NULL);
}
END_TEST

START_TEST(bad_quotes)
{
	expect_error(DATA("bad_quote.csv"), NULL, FC_EINPUT, DATA("bad_quote.csv") ":3:2: stray '\"'",
	             NULL);
	expect_error(DATA("bad_unterminated.csv"), NULL, FC_EINPUT,
	             DATA("bad_unterminated.csv") ":3:2: unterminated quoted field", NULL);
}
END_TEST

START_TEST(bad_options)
{
	fc_read_opts o = fc_read_opts_default();
	o.n_seasons = 1;
	o.seasons[0] = 1;
	expect_error(DATA("csv_basic.csv"), &o, FC_EINVAL, "a seasonal period", NULL);
	o = fc_read_opts_default();
	o.target_col = "date";
	expect_error(DATA("csv_basic.csv"), &o, FC_EINVAL, DATA("csv_basic.csv") ": ",
	             "both the time and the target");
}
END_TEST

static Suite *csv_suite(void)
{
	Suite *s = suite_create("csv");
	TCase *t = tcase_create("read");
	tcase_add_test(t, sniff_comma);
	tcase_add_test(t, future_rows);
	tcase_add_test(t, sniff_semicolon);
	tcase_add_test(t, sniff_tab);
	tcase_add_test(t, sep_given);
	tcase_add_test(t, quotes_crlf_bom);
	tcase_add_test(t, line_numbers_multiline);
	tcase_add_test(t, stdin_dash);
	tcase_add_test(t, na_tokens);
	tcase_add_test(t, detect_store_item_date_sales);
	tcase_add_test(t, detect_unique_id_ds_y);
	tcase_add_test(t, integer_steps_given_seasons);
	tcase_add_test(t, keep_seasons_untested);
	tcase_add_test(t, explicit_names);
	tcase_add_test(t, time_detected_by_values);
	tcase_add_test(t, no_groups_all_exog);
	tcase_add_test(t, ambiguous_target);
	tcase_add_test(t, ambiguous_time);
	tcase_add_test(t, unknown_columns);
	tcase_add_test(t, unsorted_rows);
	tcase_add_test(t, ragged_starts_ends);
	tcase_add_test(t, fill_none);
	tcase_add_test(t, fill_zero);
	tcase_add_test(t, fill_ffill);
	tcase_add_test(t, fill_linear);
	tcase_add_test(t, fill_auto);
	tcase_add_test(t, all_missing_series_kept);
	tcase_add_test(t, duplicate_error);
	tcase_add_test(t, aggregate_sum);
	tcase_add_test(t, aggregate_mean);
	tcase_add_test(t, aggregate_min);
	tcase_add_test(t, aggregate_max);
	tcase_add_test(t, aggregate_last);
	tcase_add_test(t, monthly_yyyy_mm);
	tcase_add_test(t, month_end);
	tcase_add_test(t, weekly_friday);
	tcase_add_test(t, hourly_datetime);
	tcase_add_test(t, freq_given);
	tcase_add_test(t, exog_aligned);
	tcase_add_test(t, series_order_numeric);
	tcase_add_test(t, many_rows_after_sample);
	tcase_add_test(t, bad_missing_file);
	tcase_add_test(t, bad_empty_file);
	tcase_add_test(t, bad_header_only);
	tcase_add_test(t, bad_date);
	tcase_add_test(t, bad_missing_time);
	tcase_add_test(t, bad_number_target);
	tcase_add_test(t, bad_number_exog);
	tcase_add_test(t, bad_field_count);
	tcase_add_test(t, bad_mixed_formats);
	tcase_add_test(t, bad_irregular);
	tcase_add_test(t, bad_duplicate_header);
	tcase_add_test(t, bad_no_header);
	tcase_add_test(t, bad_span);
	tcase_add_test(t, bad_quotes);
	tcase_add_test(t, bad_options);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(csv_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
