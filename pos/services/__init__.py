"""Operations on the database: load models, apply domain rules, flush. Views commit."""
