{{ exceptions.raise_compiler_error('this model is not supported') }}
