select {{ try_or_compiler_error('the value is not iterable', set_strict, none) }} as never
