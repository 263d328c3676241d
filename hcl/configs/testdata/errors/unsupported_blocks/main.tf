foo "bar" {} # ERROR: Unsupported block type

ephemeral "random_password" "p" {} # ERROR: Unsupported block type

required_providers { # ERROR: Invalid required_providers block
}

top_level_attribute = 1 # ERROR: Unsupported argument
