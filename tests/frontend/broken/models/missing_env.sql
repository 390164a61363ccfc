select '{{ env_var('FUSIONC_TEST_UNSET_VARIABLE') }}' as e
