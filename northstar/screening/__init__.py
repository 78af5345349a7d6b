"""Where on the spectrum of exploitation a situation sits: trafficking, forced labour, labour-rights violation."""
