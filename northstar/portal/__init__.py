"""The survivor portal: a survivor's own view of their plan, claim and consents."""
