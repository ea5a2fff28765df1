"""Onboarding on central: cooperatives, outlets, registers, investors, categories and logins, with a checklist per
new outlet."""
