"""The sellers context: applications to sell (onboarding and KYC), shops."""
