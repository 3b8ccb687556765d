from django.urls import path

from livelihood import views

urlpatterns = [
    path("", views.overview, name="livelihood_overview"),
    path("households/<int:pk>/", views.household_businesses, name="livelihood_household"),
    path("households/<int:pk>/businesses/new/", views.business_create, name="livelihood_business_create"),
    path("businesses/<int:pk>/", views.business_detail, name="livelihood_business_detail"),
    path("businesses/<int:pk>/edit/", views.business_edit, name="livelihood_business_edit"),
    path("businesses/<int:pk>/stop/", views.business_stop, name="livelihood_business_stop"),
    path("businesses/<int:pk>/months/", views.business_entry_create, name="livelihood_entry_create"),
    path("months/<int:pk>/edit/", views.business_entry_edit, name="livelihood_entry_edit"),
    path("businesses/<int:pk>/refer/", views.referral_create, name="livelihood_referral_create"),
    path("referrals/", views.referral_list, name="livelihood_referral_list"),
    path("referrals/<int:pk>/status/", views.referral_update, name="livelihood_referral_update"),
    path("kube/", views.kube_list, name="livelihood_kube_list"),
    path("kube/new/", views.kube_create, name="livelihood_kube_create"),
    path("kube/<int:pk>/", views.kube_detail, name="livelihood_kube_detail"),
    path("kube/<int:pk>/edit/", views.kube_edit, name="livelihood_kube_edit"),
    path("kube/<int:pk>/members/add/", views.kube_member_add, name="livelihood_kube_member_add"),
    path("kube/<int:pk>/businesses/new/", views.kube_business_create, name="livelihood_kube_business_create"),
    path("kube/members/<int:pk>/leave/", views.kube_member_leave, name="livelihood_kube_member_leave"),
]
