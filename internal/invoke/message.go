package invoke

// ErrorMessage returns what a caller is told of a function that failed
// with err: the error text when the runtime exposes errors
// (Config.ExposeErrors), else the outcome in words ("the function
// failed", "the function panicked", ...). Adapters that write a failure
// into their platform's answer themselves use it, so that no caller sees
// more than ServeEvents and HTTP would tell.
func (rt *Runtime) ErrorMessage(err error) string { return rt.errorMessage(err) }
