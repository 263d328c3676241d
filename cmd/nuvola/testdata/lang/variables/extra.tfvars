classification = "critico"
# null for a non-nullable variable means "use the default".
region = null
