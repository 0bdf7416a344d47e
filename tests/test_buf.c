/* Unit tests of the byte buffer and the key=value encoding of model state. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/buf.h"
#include "forecast/error.h"

START_TEST(test_roundtrip_exact)
{
	fc_buf b;
	fc_buf_init(&b);
	const double v[] = {0.1, -1e-300, 123456789.123456789, NAN, INFINITY};
	ck_assert_int_eq(fc_buf_put_double(&b, "sigma", 1.0 / 3.0), 0);
	ck_assert_int_eq(fc_buf_put_long(&b, "n", -42), 0);
	ck_assert_int_eq(fc_buf_put_doubles(&b, "season", v, 5), 0);
	double x, *arr;
	long n;
	size_t count;
	fc_err err;
	ck_assert_int_eq(fc_buf_get_double(&b, "sigma", &x, &err), 0);
	ck_assert(x == 1.0 / 3.0); /* bit-exact */
	ck_assert_int_eq(fc_buf_get_long(&b, "n", &n, &err), 0);
	ck_assert_int_eq(n, -42);
	ck_assert_int_eq(fc_buf_get_doubles(&b, "season", &arr, &count, &err), 0);
	ck_assert_uint_eq(count, 5);
	ck_assert(arr[0] == 0.1 && arr[1] == -1e-300 && arr[2] == 123456789.123456789);
	ck_assert(isnan(arr[3]) && isinf(arr[4]));
	free(arr);
	fc_buf_dispose(&b);
}
END_TEST

START_TEST(test_key_must_be_whole_token)
{
	fc_buf b;
	fc_buf_init(&b);
	fc_buf_printf(&b, "xsigma=5 sigma=2");
	double x;
	fc_err err;
	ck_assert_int_eq(fc_buf_get_double(&b, "sigma", &x, &err), 0);
	ck_assert(x == 2.0);
	ck_assert_int_eq(fc_buf_get_double(&b, "igma", &x, &err), FC_EFORMAT);
	fc_buf_dispose(&b);
}
END_TEST

START_TEST(test_garbled_values)
{
	fc_buf b;
	fc_buf_init(&b);
	fc_buf_printf(&b, "a=1x b=1,,2 c=");
	double x, *arr;
	size_t n;
	fc_err err;
	ck_assert_int_eq(fc_buf_get_double(&b, "a", &x, &err), FC_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "'a'"));
	ck_assert_int_eq(fc_buf_get_doubles(&b, "b", &arr, &n, &err), FC_EFORMAT);
	ck_assert_int_eq(fc_buf_get_double(&b, "c", &x, &err), FC_EFORMAT);
	ck_assert_int_eq(fc_buf_get_double(&b, "missing", &x, &err), FC_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "missing"));
	fc_buf_dispose(&b);
}
END_TEST

START_TEST(test_escape_roundtrip)
{
	fc_buf b;
	fc_buf_init(&b);
	const char *raw = "50% off\tS1\r\nnext %41";
	ck_assert_int_eq(fc_buf_put_escaped(&b, raw), 0);
	ck_assert_str_eq(b.data, "50%25 off%09S1%0D%0Anext %2541");
	fc_unescape(b.data);
	ck_assert_str_eq(b.data, raw);
	fc_buf_dispose(&b);
}
END_TEST

START_TEST(test_unescape_tolerant)
{
	/* a lone '%', a bad digit, %00 and a cut-off escape stay as written;
	 * lower-case hex decodes like upper case */
	char s[] = "a%zz b% c%00 d%0a e%2";
	fc_unescape(s);
	ck_assert_str_eq(s, "a%zz b% c%00 d\n e%2");
}
END_TEST

START_TEST(test_err_helpers)
{
	fc_err err;
	ck_assert_int_eq(fc_err_set(&err, FC_EINPUT, "line %d", 3), FC_EINPUT);
	fc_err_prefix(&err, "f.csv:%d: ", 3);
	ck_assert_str_eq(err.msg, "f.csv:3: line 3");
	ck_assert_int_eq(err.code, FC_EINPUT);
	ck_assert_int_eq(fc_err_set(NULL, FC_EIO, "ignored"), FC_EIO);
	ck_assert_str_eq(fc_strerror(FC_EFORMAT), "corrupt or unsupported model file");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_roundtrip_exact);
	tcase_add_test(tc, test_key_must_be_whole_token);
	tcase_add_test(tc, test_garbled_values);
	tcase_add_test(tc, test_escape_roundtrip);
	tcase_add_test(tc, test_unescape_tolerant);
	tcase_add_test(tc, test_err_helpers);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
