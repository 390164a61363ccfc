select a from where b = 1
