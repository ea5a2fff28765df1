"""Reports for outlets, investors, cooperative boards, the central office and the public: figures and rollups."""
