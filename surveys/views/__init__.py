"""Pages of the surveys app, by who opens them: the public pages of an invitation's link (`public`: no login, a
token in the URL), the Surveys list and the admins' drafts, previews, Send and Close (`manage`), and a survey's
results (`results`: everyone, a CSM over their own accounts)."""
