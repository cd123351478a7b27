"""Weak village party organisations (软弱涣散村党组织) grouped with advanced ones into joint general
branches (联村党总支), their rectification run as ledger items."""
