/*
 * noentry.c - a shared object that is no plugin: it lacks the
 * lejr_plugin_entry symbol, so the loader must refuse it.
 */
int noentry_something(void);

int
noentry_something(void)
{
	return 42;
}
