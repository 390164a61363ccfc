select a, b form t where a > 1
