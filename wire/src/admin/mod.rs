//! The admin API's bodies (`/admin/api`), as the dashboard reads them.
